-- Crash-safe rotation. A client killed after the cloud rotated its refresh token, but before it
-- kept the new one, presents its previous token again. The session remembers the newest refresh
-- token its client is known to hold (`confirmed_hash`: presented, or its pair's access token
-- used); that one is honoured again shortly after, while nothing issued since was used (the
-- current pair is used once `confirmed_hash` is the current `refresh_hash`). Any other
-- rotated-away token presented again still ends the session.
ALTER TABLE sessions ADD COLUMN current_access_hash TEXT;
ALTER TABLE sessions ADD COLUMN confirmed_hash TEXT;
