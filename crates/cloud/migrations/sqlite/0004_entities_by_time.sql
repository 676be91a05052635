-- The workspace's messages of a period, oldest first (`GET /v1/history`): a supervisor's cache
-- fetching what its snapshot left out.
CREATE INDEX entities_by_time ON entities(workspace_id, kind, sort_at, id) WHERE deleted = 0;
