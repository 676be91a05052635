-- The agent's saved views of the inbox list: named filters, kept with the account they were
-- made in (their labels and teams are that workspace's), exported and wiped with its cache.
-- `query` is the list's filters as JSON, read by the app; the store keeps it as it is.
CREATE TABLE saved_views (
  name TEXT PRIMARY KEY NOT NULL,
  query TEXT NOT NULL CHECK (json_valid(query)),
  saved_at INTEGER NOT NULL
);
