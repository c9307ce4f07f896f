-- 003: drift found by `audit collect --compose-file`, kept as findings until a later check finds the
-- field back in line.
CREATE TABLE drift_findings (
    id              TEXT PRIMARY KEY,
    project         TEXT NOT NULL,
    service         TEXT NOT NULL,
    container_id    TEXT,
    container_name  TEXT,
    field           TEXT NOT NULL,
    kind            TEXT NOT NULL,
    severity        TEXT NOT NULL,
    expected        TEXT,
    actual          TEXT,
    first_seen_ns   INTEGER NOT NULL,
    last_seen_ns    INTEGER NOT NULL,
    resolved_ns     INTEGER
);
CREATE INDEX drift_findings_open ON drift_findings (resolved_ns, last_seen_ns);
