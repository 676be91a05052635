-- The inbox asks for one window of the list at a time, with the length of the whole list
-- (a count), and follows every change with the unread total for the badge. These indexes let
-- both read a small index instead of every conversation.
CREATE INDEX conversations_by_channel ON conversations (channel, last_message_at DESC);
CREATE INDEX conversations_unread ON conversations (unread_count) WHERE unread_count > 0;
