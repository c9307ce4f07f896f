-- 009: this host in a fleet. The host id is made here, once, when the store is created or upgraded, and
-- never changes: every row forwarded to PostgreSQL carries it, so a renamed host stays one host. The
-- name (`--host-name`, default the machine's hostname) is only a label and may change.
CREATE TABLE host_identity (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    host_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_ns  INTEGER NOT NULL
);
-- A random (version 4) UUID from SQLite's own randomness.
INSERT INTO host_identity (id, host_id, name, created_ns)
SELECT 1,
       substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-'
           || substr('89ab', 1 + (unicode(substr(h, 17, 1)) % 4), 1) || substr(h, 18, 3) || '-' || substr(h, 21, 12),
       '', CAST(strftime('%s', 'now') AS INTEGER) * 1000000000
FROM (SELECT lower(hex(randomblob(16))) AS h);

-- What the forwarder last learned from a PostgreSQL target (`--forward`), for `audit status`. The
-- resume point is never read from here: it is PostgreSQL's max(time_ns) for this host, asked at every
-- (re)connection. target is the URL with its password masked.
CREATE TABLE forwarding (
    target           TEXT PRIMARY KEY,
    confirmed_ns     INTEGER,
    pending_rows     INTEGER NOT NULL DEFAULT 0,
    last_success_ns  INTEGER,
    last_error       TEXT,
    last_error_ns    INTEGER,
    -- Gaps reconciled up to this time have had their events sent again (their times lie in the past).
    gaps_checked_ns  INTEGER NOT NULL DEFAULT 0,
    updated_ns       INTEGER NOT NULL
);
