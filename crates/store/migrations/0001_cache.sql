-- The local cache of one account (server + workspace + agent). Everything here
-- is derived from the cloud except the outbox (messages not yet accepted by it).
-- Each entity keeps its full wire form in `data` (JSON) and the columns the app
-- filters and sorts on.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE conversations (
    id                TEXT PRIMARY KEY NOT NULL,
    contact_id        TEXT NOT NULL,
    channel           TEXT NOT NULL,
    status            TEXT NOT NULL,
    assignee_agent_id TEXT,
    assignee_team_id  TEXT,
    priority          TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    last_message_at   INTEGER NOT NULL,
    last_inbound_at   INTEGER,
    unread_count      INTEGER NOT NULL DEFAULT 0,
    data              TEXT NOT NULL
) STRICT;
CREATE INDEX conversations_by_last_message ON conversations (last_message_at DESC);
CREATE INDEX conversations_by_status ON conversations (status, last_message_at DESC);
CREATE INDEX conversations_by_assignee ON conversations (assignee_agent_id, last_message_at DESC);

CREATE TABLE conversation_labels (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    label           TEXT NOT NULL,
    PRIMARY KEY (conversation_id, label)
) STRICT, WITHOUT ROWID;
CREATE INDEX conversation_labels_by_label ON conversation_labels (label);

CREATE TABLE messages (
    id              TEXT PRIMARY KEY NOT NULL,
    conversation_id TEXT NOT NULL,
    direction       TEXT NOT NULL,
    status          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    data            TEXT NOT NULL
) STRICT;
CREATE INDEX messages_by_conversation ON messages (conversation_id, created_at);

CREATE TABLE contacts (
    id   TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    data TEXT NOT NULL
) STRICT;

CREATE TABLE notes (
    id              TEXT PRIMARY KEY NOT NULL,
    conversation_id TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    data            TEXT NOT NULL
) STRICT;
CREATE INDEX notes_by_conversation ON notes (conversation_id, created_at);

-- Small reference sets: workspace, agents, teams, labels, canned responses, templates.
CREATE TABLE entities (
    kind TEXT NOT NULL,
    id   TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, id)
) STRICT, WITHOUT ROWID;

-- Messages written by this agent, waiting for the cloud to accept them. A row
-- leaves only when the cloud's copy of the message has been stored.
CREATE TABLE outbox (
    local_id        TEXT PRIMARY KEY NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL,
    request         TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    error           TEXT,
    server_message_id TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

-- Encrypted attachment files on disk, for the size budget and LRU eviction.
CREATE TABLE attachment_files (
    id           TEXT PRIMARY KEY NOT NULL,
    size         INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    last_used_at INTEGER NOT NULL
) STRICT;
CREATE INDEX attachment_files_lru ON attachment_files (last_used_at);

-- Full-text search over normalized text (see src/normalize.rs), one index per
-- kind, keyed by the rowid of the row it indexes so updates are cheap. The
-- indexes keep no copy of the text: snippets come from the rows themselves.
CREATE VIRTUAL TABLE search_messages USING fts5 (
    body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE search_contacts USING fts5 (
    body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE search_notes USING fts5 (
    body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0'
);
