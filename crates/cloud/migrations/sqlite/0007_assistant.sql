-- The assistant: the documents a workspace's admins give it to answer from, and a record of
-- every call to a language model (what it was for and how much was sent, never the text).
CREATE TABLE knowledge_documents (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX knowledge_documents_workspace ON knowledge_documents(workspace_id, created_at);

CREATE TABLE model_calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    purpose TEXT NOT NULL,
    conversation_id TEXT,
    model TEXT NOT NULL,
    messages_sent INTEGER NOT NULL,
    chars_sent INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    latency_ms INTEGER NOT NULL
);
CREATE INDEX model_calls_workspace ON model_calls(workspace_id, at);
