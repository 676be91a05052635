-- A contact's other conversations, for the contact panel.
CREATE INDEX conversations_by_contact ON conversations (contact_id, last_message_at DESC);
