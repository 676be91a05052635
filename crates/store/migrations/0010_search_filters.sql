-- A search within the list's filters first asks which conversations pass them. This index
-- answers from itself (every column the filters read, and the id), so the question never
-- reads the conversations' rows and their JSON: on the encrypted file every page read is a
-- page decrypted, and the whole table was read for each search with a label or a status.
CREATE INDEX conversations_filters ON conversations (
    status, channel, assignee_agent_id, assignee_team_id, unread_count, contact_id, id
);
