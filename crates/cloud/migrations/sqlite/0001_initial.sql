-- Stepup cloud reference schema. Every row that belongs to a tenant carries workspace_id and every
-- query filters on it.

CREATE TABLE workspaces (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    time_zone   TEXT NOT NULL,
    -- Last sequence number handed out; bumped in the same transaction as the change it numbers.
    seq_head    INTEGER NOT NULL DEFAULT 0,
    -- Changes with seq <= horizon have been compacted away from the raw log.
    horizon     INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE credentials (
    agent_id      TEXT PRIMARY KEY,
    workspace_id  TEXT NOT NULL REFERENCES workspaces(id),
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL
);

CREATE TABLE sessions (
    id                 TEXT PRIMARY KEY,
    workspace_id       TEXT NOT NULL REFERENCES workspaces(id),
    agent_id           TEXT NOT NULL,
    refresh_hash       TEXT NOT NULL UNIQUE,
    refresh_expires_at INTEGER NOT NULL,
    revoked_at         INTEGER
);

CREATE TABLE access_tokens (
    token_hash   TEXT PRIMARY KEY,
    session_id   TEXT NOT NULL REFERENCES sessions(id),
    expires_at   INTEGER NOT NULL
);
CREATE INDEX access_tokens_session ON access_tokens(session_id);

-- Latest state of every entity (the compacted view of the feed), tombstones included.
CREATE TABLE entities (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    kind         TEXT NOT NULL,
    id           TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0,
    data         TEXT,
    -- Conversation of a message or note; contact of a conversation.
    parent_id    TEXT,
    sort_at      INTEGER NOT NULL DEFAULT 0,
    updated_at   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, kind, id)
);
CREATE UNIQUE INDEX entities_seq ON entities(workspace_id, seq);
CREATE INDEX entities_parent ON entities(workspace_id, kind, parent_id, sort_at);

-- The raw, gapless change log.
CREATE TABLE changes (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    seq          INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    op           TEXT NOT NULL,
    data         TEXT,
    PRIMARY KEY (workspace_id, seq)
) WITHOUT ROWID;

-- Lookup keys: channel identity -> contact, provider message id -> message, open conversation.
CREATE TABLE lookup (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    namespace    TEXT NOT NULL,
    key          TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (workspace_id, namespace, key)
) WITHOUT ROWID;

-- Webhook deliveries already processed (providers retry for days).
CREATE TABLE webhook_dedupe (
    workspace_id TEXT NOT NULL,
    channel      TEXT NOT NULL,
    event_key    TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, channel, event_key)
) WITHOUT ROWID;

CREATE TABLE idempotency (
    workspace_id TEXT NOT NULL,
    agent_id     TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    response     TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, agent_id, key)
) WITHOUT ROWID;

CREATE TABLE attachments (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT NOT NULL,
    content_type TEXT NOT NULL,
    filename     TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    bytes        BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, id)
);

CREATE TABLE visitors (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    token_hash   TEXT NOT NULL UNIQUE,
    name         TEXT,
    language     TEXT,
    created_at   INTEGER NOT NULL
);
