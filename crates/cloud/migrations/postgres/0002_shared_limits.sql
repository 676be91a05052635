-- Limits that hold across nodes (PostgreSQL only: one SQLite node keeps them in memory).
-- Failed sign-ins per account and per address, with the wait they earned.
CREATE TABLE login_strikes (
    key      TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_at  BIGINT NOT NULL,
    until_at BIGINT NOT NULL
);

-- Fixed one-minute budgets per key (Web Chat's visitors, addresses and widgets).
CREATE TABLE budgets (
    key    TEXT PRIMARY KEY,
    minute BIGINT NOT NULL,
    used   BIGINT NOT NULL
);
