-- 001: the event store.
-- Ingest runs at 150k events/s only if rows are small and ingest-time indexes few and ordered, so the
-- repeating parts of an event (actor ids, label sets) are dictionaries referenced by integer.

-- Docker objects events are about: one row per (type, id). Compose project/service come from the
-- container's labels, which never change over a container's life, so "by project" needs no event index.
CREATE TABLE actors (
    id          INTEGER PRIMARY KEY,
    type        TEXT NOT NULL,
    docker_id   TEXT NOT NULL,
    project     TEXT,
    service     TEXT,
    UNIQUE (type, docker_id)
);
CREATE INDEX actors_by_project ON actors (project, service) WHERE project IS NOT NULL;

-- Each distinct set of attributes (container labels, image, name) stored once: a canonical JSON object
-- with sorted keys. Per-event attributes (execID, exitCode, signal, oldName...) live in events.extra.
CREATE TABLE attribute_sets (
    id          INTEGER PRIMARY KEY,
    attributes  TEXT NOT NULL UNIQUE
);

-- source: 0 = stream (live /events), 1 = ingest (a dump loaded by `audit ingest`),
--         2 = reconciliation (a change found by comparing snapshots after a gap).
-- The primary key is the dedupe key: the daemon's replay is inclusive and may overlap the live stream.
CREATE TABLE events (
    time_ns        INTEGER NOT NULL,
    actor          INTEGER NOT NULL REFERENCES actors (id),
    action         TEXT NOT NULL,
    detail         TEXT,
    attribute_set  INTEGER NOT NULL REFERENCES attribute_sets (id),
    extra          TEXT,
    scope          TEXT,
    source         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (time_ns, actor, action)
) WITHOUT ROWID;
CREATE INDEX events_by_actor ON events (actor, time_ns);

-- Lines that could not be decoded, kept byte for byte with the reason.
CREATE TABLE quarantine (
    id           INTEGER PRIMARY KEY,
    received_ns  INTEGER NOT NULL,
    source       INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    raw          BLOB NOT NULL
);

-- What a container looked like after create/start/update/rename and at each (re)connect. `config` is
-- the normalised inspect (ContainerSnapshot as JSON); a destroyed container gets a row with config NULL.
CREATE TABLE container_snapshots (
    id             INTEGER PRIMARY KEY,
    actor          INTEGER NOT NULL REFERENCES actors (id),
    taken_ns       INTEGER NOT NULL,
    trigger_ns     INTEGER,
    reason         TEXT NOT NULL,
    name           TEXT,
    image_id       TEXT,
    image_ref      TEXT,
    started_at_ns  INTEGER,
    running        INTEGER,
    config         TEXT
);
CREATE INDEX container_snapshots_by_actor ON container_snapshots (actor, taken_ns);

-- `GET /exec/{id}/json` answers, taken while the daemon still remembers the exec.
CREATE TABLE exec_sessions (
    exec_id       TEXT PRIMARY KEY,
    actor         INTEGER NOT NULL REFERENCES actors (id),
    inspected_ns  INTEGER NOT NULL,
    user          TEXT,
    privileged    INTEGER,
    tty           INTEGER,
    open_stdin    INTEGER,
    entrypoint    TEXT,
    arguments     TEXT
);

-- Intervals in which the collector was connected to the daemon's event stream. last_seen_ns moves
-- forward while connected, so an interval cut short by `kill -9` still ends where watching stopped.
CREATE TABLE coverage (
    id            INTEGER PRIMARY KEY,
    docker_host   TEXT NOT NULL,
    started_ns    INTEGER NOT NULL,
    last_seen_ns  INTEGER NOT NULL,
    ended_ns      INTEGER,
    end_reason    TEXT
);

-- Times nobody was watching, and what reconciliation found for them.
CREATE TABLE gaps (
    id              INTEGER PRIMARY KEY,
    docker_host     TEXT NOT NULL,
    from_ns         INTEGER NOT NULL,
    to_ns           INTEGER NOT NULL,
    cause           TEXT NOT NULL,
    replayed        INTEGER NOT NULL DEFAULT 0,
    reconciled_ns   INTEGER,
    changes_found   INTEGER
);
