-- Cached attachment bytes live inside the encrypted database, so they are
-- encrypted at rest like everything else; `attachment_files` (0001) keeps the
-- size and last use for the budget's LRU eviction.
CREATE TABLE attachment_blobs (
    id    TEXT PRIMARY KEY NOT NULL REFERENCES attachment_files (id) ON DELETE CASCADE,
    bytes BLOB NOT NULL
) STRICT;
