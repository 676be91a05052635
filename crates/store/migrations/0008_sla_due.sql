-- The list sorts by the nearest SLA deadline the cloud set on a conversation: the first
-- response until it is given, then resolution until resolved (see `SlaClock::pending`).
ALTER TABLE conversations ADD COLUMN sla_due_at INTEGER;
UPDATE conversations SET sla_due_at = CASE
    WHEN json_extract(data, '$.resolved_at') IS NOT NULL THEN NULL
    WHEN json_extract(data, '$.sla.first_response_due_at') IS NOT NULL
         AND json_extract(data, '$.sla.first_response_at') IS NULL
        THEN json_extract(data, '$.sla.first_response_due_at')
    ELSE json_extract(data, '$.sla.resolution_due_at')
END;
CREATE INDEX conversations_by_sla_due ON conversations (sla_due_at) WHERE sla_due_at IS NOT NULL;
