-- Broadcasts: the schedule the sender reads (the broadcast itself is an entity, in the feed),
-- one row per recipient with its delivery and reply, and the customers who asked to receive
-- no more (per channel and number).
CREATE TABLE broadcast_schedule (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    send_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    -- Its report changed since it was last written to the feed.
    dirty INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX broadcast_schedule_due ON broadcast_schedule(state, send_at);

CREATE TABLE broadcast_recipients (
    broadcast_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    name TEXT NOT NULL,
    wa_id TEXT NOT NULL,
    params TEXT NOT NULL,
    state TEXT NOT NULL,
    error TEXT,
    provider_message_id TEXT,
    sent_at INTEGER,
    replied_at INTEGER,
    conversation_id TEXT,
    PRIMARY KEY (broadcast_id, contact_id)
);
CREATE INDEX broadcast_recipients_queue ON broadcast_recipients(broadcast_id, state);
CREATE INDEX broadcast_recipients_provider ON broadcast_recipients(provider_message_id)
    WHERE provider_message_id IS NOT NULL;
CREATE INDEX broadcast_recipients_number ON broadcast_recipients(workspace_id, wa_id, sent_at);

CREATE TABLE opt_outs (
    workspace_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, channel, external_id)
);
