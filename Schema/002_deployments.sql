-- 002: what the pipeline says it did, and what operators said about findings.

-- One row per deployment id (the idempotency key); a later post with the same id updates the row.
-- `record` is the wire JSON (DeploymentRecord), kept whole; the columns serve the queries.
CREATE TABLE deployments (
    id            TEXT PRIMARY KEY,
    source        TEXT NOT NULL,
    status        TEXT NOT NULL,
    started_ns    INTEGER NOT NULL,
    finished_ns   INTEGER,
    project       TEXT,
    host          TEXT,
    record        TEXT NOT NULL,
    received_ns   INTEGER NOT NULL,
    updated_ns    INTEGER NOT NULL
);
CREATE INDEX deployments_by_start ON deployments (started_ns);

-- Webhook deliveries already processed (X-GitHub-Delivery, Idempotency-Key, webhook-id): a replay
-- stores nothing.
CREATE TABLE webhook_deliveries (
    delivery_id    TEXT PRIMARY KEY,
    deployment_id  TEXT NOT NULL,
    received_ns    INTEGER NOT NULL
);

-- `audit ack`: who accepted a finding, why, and until when.
CREATE TABLE acks (
    id          INTEGER PRIMARY KEY,
    finding_id  TEXT NOT NULL,
    by          TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at_ns       INTEGER NOT NULL,
    expires_ns  INTEGER
);
CREATE INDEX acks_by_finding ON acks (finding_id);
