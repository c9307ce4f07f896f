-- 008: the notifier's outbox. Every status change of a finding that a sink must hear of (opened,
-- acknowledged, stale, reconciled, gone) is written here, in the same transaction as one delivery row
-- per configured sink, before anything is sent; a delivery is marked sent only after the sink answered
-- 2xx. A collector killed between the two sends it after its restart, and the key (finding, status)
-- is the idempotency key the sinks see, so a repeat is recognisable as one.
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    finding_id  TEXT NOT NULL,
    status      TEXT NOT NULL,
    -- The finding's own time: which notifications the next evaluation's window must reach back to.
    time_ns     INTEGER NOT NULL,
    created_ns  INTEGER NOT NULL,
    -- The notification as the webhook sink posts it (JSON, documented in the README); the other
    -- sinks render from it, so a retry sends the same content.
    body        TEXT NOT NULL,
    UNIQUE (finding_id, status)
);
CREATE INDEX notifications_by_time ON notifications (time_ns);

-- One row per notification and sink (`webhook:1a2b3c4d`: the kind and a digest of the URL, which
-- may itself be a secret, as Slack's are). Neither sent nor failed means pending.
CREATE TABLE notification_deliveries (
    sink             TEXT NOT NULL,
    notification_id  INTEGER NOT NULL REFERENCES notifications (id),
    attempts         INTEGER NOT NULL DEFAULT 0,
    sent_ns          INTEGER,
    -- The sink refused it for good (4xx): logged with its answer, not retried.
    failed_ns        INTEGER,
    last_error       TEXT,
    PRIMARY KEY (sink, notification_id)
) WITHOUT ROWID;
CREATE INDEX notification_deliveries_pending ON notification_deliveries (sink, notification_id)
    WHERE sent_ns IS NULL AND failed_ns IS NULL;

-- When notifications were first enabled on this store: findings older than that are history, not news,
-- and are never announced (a collector given --notify on a store of last year's findings stays quiet).
CREATE TABLE notification_baseline (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    started_ns   INTEGER NOT NULL
);
