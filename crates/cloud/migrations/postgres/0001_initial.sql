-- Stepup cloud schema on PostgreSQL: the same tables as on SQLite (migrations/0001…0008 taken
-- together), with PostgreSQL's types. Every row that belongs to a tenant carries workspace_id
-- and every query filters on it. Integers are BIGINT and flags are 0/1 integers, as on SQLite,
-- so one statement reads the same from both. Ids compare byte for byte (COLLATE "C"), as SQLite
-- compares them, whatever the database's locale: pages and cursors order by id.

CREATE TABLE workspaces (
    id          TEXT COLLATE "C" PRIMARY KEY,
    name        TEXT NOT NULL,
    time_zone   TEXT NOT NULL,
    -- Last sequence number handed out; bumped in the same transaction as the change it numbers,
    -- under the workspace's write lock, so sequence numbers commit in order on every node.
    seq_head    BIGINT NOT NULL DEFAULT 0,
    -- Changes with seq <= horizon have been compacted away from the raw log.
    horizon     BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);

CREATE TABLE settings (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE credentials (
    agent_id      TEXT COLLATE "C" PRIMARY KEY,
    workspace_id  TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id),
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL
);

CREATE TABLE sessions (
    id                  TEXT COLLATE "C" PRIMARY KEY,
    workspace_id        TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id),
    agent_id            TEXT COLLATE "C" NOT NULL,
    refresh_hash        TEXT NOT NULL UNIQUE,
    refresh_expires_at  BIGINT NOT NULL,
    revoked_at          BIGINT,
    current_access_hash TEXT,
    confirmed_hash      TEXT,
    device_name         TEXT,
    device_os           TEXT,
    signed_in_at        BIGINT,
    last_seen_at        BIGINT,
    wipe_key            TEXT,
    wipe_ordered_at     BIGINT
);
CREATE INDEX sessions_agent ON sessions(workspace_id, agent_id);

CREATE TABLE access_tokens (
    token_hash   TEXT PRIMARY KEY,
    session_id   TEXT COLLATE "C" NOT NULL REFERENCES sessions(id),
    expires_at   BIGINT NOT NULL
);
CREATE INDEX access_tokens_session ON access_tokens(session_id);

CREATE TABLE retired_refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT COLLATE "C" NOT NULL REFERENCES sessions(id),
    retired_at BIGINT NOT NULL
);

-- Latest state of every entity (the compacted view of the feed), tombstones included.
CREATE TABLE entities (
    workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id),
    kind         TEXT COLLATE "C" NOT NULL,
    id           TEXT COLLATE "C" NOT NULL,
    seq          BIGINT NOT NULL,
    deleted      BIGINT NOT NULL DEFAULT 0,
    data         TEXT,
    -- Conversation of a message or note; contact of a conversation.
    parent_id    TEXT COLLATE "C",
    sort_at      BIGINT NOT NULL DEFAULT 0,
    updated_at   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, kind, id)
);
CREATE UNIQUE INDEX entities_seq ON entities(workspace_id, seq);
CREATE INDEX entities_parent ON entities(workspace_id, kind, parent_id, sort_at);
CREATE INDEX entities_by_time ON entities(workspace_id, kind, sort_at, id) WHERE deleted = 0;

-- The raw, gapless change log.
CREATE TABLE changes (
    workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id),
    seq          BIGINT NOT NULL,
    at           BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    entity_id    TEXT COLLATE "C" NOT NULL,
    op           TEXT NOT NULL,
    data         TEXT,
    PRIMARY KEY (workspace_id, seq)
);

-- Lookup keys: channel identity -> contact, provider message id -> message, open conversation.
CREATE TABLE lookup (
    workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id),
    namespace    TEXT COLLATE "C" NOT NULL,
    key          TEXT COLLATE "C" NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (workspace_id, namespace, key)
);

-- Webhook deliveries already processed (providers retry for days).
CREATE TABLE webhook_dedupe (
    workspace_id TEXT COLLATE "C" NOT NULL,
    channel      TEXT COLLATE "C" NOT NULL,
    event_key    TEXT COLLATE "C" NOT NULL,
    received_at  BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, channel, event_key)
);

CREATE TABLE idempotency (
    workspace_id TEXT COLLATE "C" NOT NULL,
    agent_id     TEXT COLLATE "C" NOT NULL,
    key          TEXT COLLATE "C" NOT NULL,
    request_hash TEXT NOT NULL,
    status       BIGINT NOT NULL,
    response     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, agent_id, key)
);

CREATE TABLE attachments (
    workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id),
    id           TEXT COLLATE "C" NOT NULL,
    content_type TEXT NOT NULL,
    filename     TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    bytes        BYTEA NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);

CREATE TABLE visitors (
    id           TEXT COLLATE "C" PRIMARY KEY,
    workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id),
    token_hash   TEXT NOT NULL UNIQUE,
    name         TEXT,
    language     TEXT,
    created_at   BIGINT NOT NULL
);

-- A workspace's channel connections; credentials sealed under the server key.
CREATE TABLE connections (
    id           TEXT COLLATE "C" PRIMARY KEY,
    workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id),
    channel      TEXT COLLATE "C" NOT NULL,
    account_id   TEXT COLLATE "C" NOT NULL,
    name         TEXT NOT NULL,
    sealed       BYTEA NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (channel, account_id)
);
CREATE INDEX connections_by_workspace ON connections (workspace_id, channel);

-- Webhooks for accounts no workspace has connected: acknowledged, counted, delivered nowhere.
CREATE TABLE unrouted_webhooks (
    channel    TEXT COLLATE "C" NOT NULL,
    account_id TEXT COLLATE "C" NOT NULL,
    count      BIGINT NOT NULL,
    last_at    BIGINT NOT NULL,
    PRIMARY KEY (channel, account_id)
);

-- The assistant's documents, and a record of every call to a language model.
CREATE TABLE knowledge_documents (
    id TEXT COLLATE "C" PRIMARY KEY,
    workspace_id TEXT COLLATE "C" NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX knowledge_documents_workspace ON knowledge_documents(workspace_id, created_at);

CREATE TABLE model_calls (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id TEXT COLLATE "C" NOT NULL,
    at BIGINT NOT NULL,
    purpose TEXT NOT NULL,
    conversation_id TEXT,
    model TEXT NOT NULL,
    messages_sent BIGINT NOT NULL,
    chars_sent BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    latency_ms BIGINT NOT NULL
);
CREATE INDEX model_calls_workspace ON model_calls(workspace_id, at);

-- Broadcasts: the schedule, the recipients (in the order they were added: `pos`, where SQLite
-- has its rowid) and the customers who asked to receive no more.
CREATE TABLE broadcast_schedule (
    id TEXT COLLATE "C" PRIMARY KEY,
    workspace_id TEXT COLLATE "C" NOT NULL,
    send_at BIGINT NOT NULL,
    state TEXT NOT NULL,
    dirty BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX broadcast_schedule_due ON broadcast_schedule(state, send_at);

CREATE TABLE broadcast_recipients (
    broadcast_id TEXT COLLATE "C" NOT NULL,
    workspace_id TEXT COLLATE "C" NOT NULL,
    contact_id TEXT COLLATE "C" NOT NULL,
    name TEXT NOT NULL,
    wa_id TEXT NOT NULL,
    params TEXT NOT NULL,
    state TEXT NOT NULL,
    error TEXT,
    provider_message_id TEXT,
    sent_at BIGINT,
    replied_at BIGINT,
    conversation_id TEXT,
    pos BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (broadcast_id, contact_id)
);
CREATE INDEX broadcast_recipients_queue ON broadcast_recipients(broadcast_id, state, pos);
CREATE INDEX broadcast_recipients_provider ON broadcast_recipients(provider_message_id)
    WHERE provider_message_id IS NOT NULL;
CREATE INDEX broadcast_recipients_number ON broadcast_recipients(workspace_id, wa_id, sent_at);

CREATE TABLE opt_outs (
    workspace_id TEXT COLLATE "C" NOT NULL,
    channel TEXT COLLATE "C" NOT NULL,
    external_id TEXT COLLATE "C" NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, channel, external_id)
);
