-- Devices: each session is one signed-in device, with what it said about itself at sign-in and
-- when it was last seen. `wipe_key` (hex) signs the order that tells a revoked device to erase
-- its data; `wipe_ordered_at` is set when the agent or an admin revoked it (or the agent was
-- removed), and the order is answered to the device at its next contact.
ALTER TABLE sessions ADD COLUMN device_name TEXT;
ALTER TABLE sessions ADD COLUMN device_os TEXT;
ALTER TABLE sessions ADD COLUMN signed_in_at INTEGER;
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER;
ALTER TABLE sessions ADD COLUMN wipe_key TEXT;
ALTER TABLE sessions ADD COLUMN wipe_ordered_at INTEGER;
CREATE INDEX sessions_agent ON sessions(workspace_id, agent_id);
