-- 004: shaped for ingest at 150k events/s and a 24 h report in milliseconds on a 10M-event store.
--
-- Health probes (exec_create, exec_start, exec_die every few seconds per container, health_status)
-- are most of a busy host's events. 001's events_by_actor covered all of them; keyed by actor first,
-- its entries land at random places and it halved ingest (measured). The indexes below leave the
-- probe family out. Their predicates are ranges, not `NOT IN (...)`: SQLite rebuilds an IN list's
-- lookup table at every INSERT it evaluates, which cost more than the index itself.
-- A query uses a partial index only when it repeats the index's WHERE terms (StoreReader.notProbeFamily).
DROP INDEX events_by_actor;

-- A container's changes over time (lifecycle, updates, renames…). No command reads it yet: `audit
-- events --container` shows probes too, so it filters the window read in time order.
CREATE INDEX events_by_actor ON events (actor, time_ns)
    WHERE action NOT BETWEEN 'exec_' AND 'exec`' AND action <> 'health_status';

-- A window's changes without reading the probes between them. Entries append in time order.
CREATE INDEX events_changes ON events (time_ns)
    WHERE action NOT BETWEEN 'exec_' AND 'exec`' AND action <> 'health_status';

-- exec_start per hour, container and command line, kept by the writer (one upsert per group and
-- batch). The report tells probes from people by command: thousands of probe execs an hour are one
-- row here, and only the groups whose command is not the container's health check are read event by
-- event.
CREATE TABLE exec_commands (
    hour      INTEGER NOT NULL,   -- time_ns / 3600e9
    actor     INTEGER NOT NULL REFERENCES actors (id),
    command   TEXT NOT NULL,      -- events.detail of the exec_start
    count     INTEGER NOT NULL,
    first_ns  INTEGER NOT NULL,
    last_ns   INTEGER NOT NULL,
    PRIMARY KEY (hour, actor, command)
) WITHOUT ROWID;

INSERT INTO exec_commands (hour, actor, command, count, first_ns, last_ns)
SELECT time_ns / 3600000000000, actor, coalesce(detail, ''), count(*), min(time_ns), max(time_ns)
FROM events WHERE action = 'exec_start' GROUP BY 1, 2, 3;

-- A person running the health check's own command with a tty or privileges is still a person.
CREATE INDEX exec_sessions_interactive ON exec_sessions (inspected_ns) WHERE tty = 1 OR privileged = 1;

-- Stored events per actor type and source, kept by the writer (one upsert per type and batch), so
-- `audit status` answers at once on a store of millions of events instead of counting them.
CREATE TABLE event_counts (
    type    TEXT NOT NULL,
    source  INTEGER NOT NULL,
    count   INTEGER NOT NULL,
    PRIMARY KEY (type, source)
) WITHOUT ROWID;

INSERT INTO event_counts (type, source, count)
SELECT a.type, e.source, count(*) FROM events e JOIN actors a ON a.id = e.actor GROUP BY 1, 2;
