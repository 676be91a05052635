-- What the workspace's assistant wrote for the agent about a conversation (reply suggestions, a
-- summary), kept so it shows offline once fetched. It quotes customers, so it goes with the
-- conversation: wiped with the cache, deleted with its conversation and aged out like messages.
CREATE TABLE assistant_notes (
  conversation_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('suggestions', 'summary')),
  locale TEXT NOT NULL,
  data TEXT NOT NULL CHECK (json_valid(data)),
  made_at INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, kind, locale)
);
