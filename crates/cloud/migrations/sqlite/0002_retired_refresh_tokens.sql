-- Refresh tokens that were rotated away. Presenting one again means it leaked: the session ends.
CREATE TABLE retired_refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    retired_at INTEGER NOT NULL
) WITHOUT ROWID;
