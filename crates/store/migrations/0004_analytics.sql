-- Analytics reads who wrote each message for every message of a range. A small integer
-- (`kind`: 0 customer, 1 agent, 2 AI, 3 bot, 4 timeline event) and the sending agent, instead
-- of JSON, and one covering index that serves both a conversation's timeline (it replaces
-- messages_by_conversation) and the dashboard's scan.
ALTER TABLE messages ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN sender_agent_id TEXT;
UPDATE messages SET
    kind = CASE
        WHEN direction = 'inbound' THEN 0
        WHEN coalesce(json_extract(data, '$.origin'), 'human') = 'human' THEN 1
        WHEN json_extract(data, '$.origin') = 'ai' THEN 2
        WHEN json_extract(data, '$.origin') = 'bot' THEN 3
        ELSE 4 END,
    sender_agent_id = json_extract(data, '$.sender_agent_id');
DROP INDEX messages_by_conversation;
CREATE INDEX messages_timeline ON messages (conversation_id, created_at, kind, sender_agent_id);
CREATE INDEX conversations_by_created ON conversations (created_at);
