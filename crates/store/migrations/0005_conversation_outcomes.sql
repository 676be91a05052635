-- The dashboard filters and counts conversations by when they were resolved and by their CSAT
-- score. As columns, its scan of the conversations no longer parses each one's JSON.
ALTER TABLE conversations ADD COLUMN resolved_at INTEGER;
ALTER TABLE conversations ADD COLUMN csat INTEGER;
UPDATE conversations SET
    resolved_at = json_extract(data, '$.resolved_at'),
    csat = json_extract(data, '$.csat');
