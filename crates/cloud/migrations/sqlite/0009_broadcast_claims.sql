-- The node sending a broadcast, and until when its claim holds (renewed as it sends): another
-- node takes over only once the claim has lapsed.
ALTER TABLE broadcast_schedule ADD COLUMN claimed_by TEXT;
ALTER TABLE broadcast_schedule ADD COLUMN claimed_until INTEGER NOT NULL DEFAULT 0;
