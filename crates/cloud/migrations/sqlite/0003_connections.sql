-- A workspace's channel connections: a WhatsApp number, a Facebook page, an Instagram account, a
-- Telegram bot, a TikTok business account. Webhooks are routed by (channel, account_id); replies
-- leave with the connection's credentials, sealed under the server key (never stored in clear).
CREATE TABLE connections (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    channel      TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    name         TEXT NOT NULL,
    sealed       BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (channel, account_id)
);
CREATE INDEX connections_by_workspace ON connections (workspace_id, channel);

-- Webhooks for accounts no workspace has connected: acknowledged, counted, delivered nowhere.
CREATE TABLE unrouted_webhooks (
    channel    TEXT NOT NULL,
    account_id TEXT NOT NULL,
    count      INTEGER NOT NULL,
    last_at    INTEGER NOT NULL,
    PRIMARY KEY (channel, account_id)
) WITHOUT ROWID;
