-- Search finds a word in its other forms: the light stems of Arabic words and the consonant
-- keys that let Arabizi and Arabic find each other (see src/search.rs). Each index gets the
-- columns `stems` and `sounds`; messages and notes also keep their conversation and time
-- (unindexed, stored by the index itself: `contentless_unindexed`), so filtering a search
-- reads a few bytes per match instead of the message.
-- The indexes are filled again from the cached rows when the cache opens (search.format).
DROP TABLE search_messages;
DROP TABLE search_contacts;
DROP TABLE search_notes;
CREATE VIRTUAL TABLE search_messages USING fts5 (
    body, stems, sounds, conv UNINDEXED, at UNINDEXED,
    content = '', contentless_delete = 1, contentless_unindexed = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE search_notes USING fts5 (
    body, stems, sounds, conv UNINDEXED, at UNINDEXED,
    content = '', contentless_delete = 1, contentless_unindexed = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE search_contacts USING fts5 (
    body, stems, sounds,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);
DELETE FROM meta WHERE key = 'search.format';
