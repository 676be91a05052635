-- Analytics reads who wrote each message (origin, sending agent) for every message of a range.
-- Columns instead of JSON, and one covering index that serves both a conversation's timeline
-- (it replaces messages_by_conversation) and the dashboard's scan.
ALTER TABLE messages ADD COLUMN origin TEXT NOT NULL DEFAULT 'human';
ALTER TABLE messages ADD COLUMN sender_agent_id TEXT;
UPDATE messages SET
    origin = coalesce(json_extract(data, '$.origin'), 'human'),
    sender_agent_id = json_extract(data, '$.sender_agent_id');
DROP INDEX messages_by_conversation;
CREATE INDEX messages_timeline ON messages (conversation_id, created_at, direction, origin, sender_agent_id);
CREATE INDEX conversations_by_created ON conversations (created_at);
