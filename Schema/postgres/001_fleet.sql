-- fleet 001: what every host's collector forwards. Every key starts with host_id, so the same tables can be
-- distributed by host_id (Citus) unchanged. Rows carry text, not the host's dictionary ids (actors,
-- attribute sets): a reader needs nothing of the host's SQLite store.

CREATE TABLE hosts (
    host_id     text PRIMARY KEY,
    name        text NOT NULL,
    first_seen  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL DEFAULT now()
);

-- The primary key is the dedupe key, the same as the host's (time, actor, action) with the host in front:
-- a batch sent twice, or resent after a crash, stores nothing new. source: 0 stream, 1 ingest,
-- 2 reconciliation (as in SQLite). attributes: the canonical JSON object (sorted keys) of the event's
-- attribute set; extra: the per-event attributes (execID, exitCode, oldName…) as a JSON object.
CREATE TABLE events (
    host_id     text NOT NULL,
    time_ns     bigint NOT NULL,
    type        text NOT NULL,
    actor_id    text NOT NULL,
    action      text NOT NULL,
    detail      text,
    attributes  text NOT NULL,
    extra       text,
    scope       text,
    source      smallint NOT NULL,
    project     text,
    service     text,
    PRIMARY KEY (host_id, time_ns, type, actor_id, action)
) PARTITION BY RANGE (time_ns);

-- One partition a UTC day (events_20261206), so retention drops a partition instead of deleting rows.
-- There is no default partition: a row whose day has none is refused, and the forwarder creates the days
-- of a batch (and the next one) before inserting. These few lines rather than pg_partman: the forwarder
-- knows which days it is about to write, partman would need its own extension, a background worker or
-- cron to run maintenance, and a premake horizon that a host catching up on an old backlog falls outside.
-- Hosts creating the same day at once race on the catalog: the loser's error is the table's existence.
CREATE FUNCTION fleet_create_event_partitions(from_ns bigint, to_ns bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    day_ns constant bigint := 86400000000000;
    day bigint := floor(from_ns::numeric / day_ns)::bigint;
    name text;
BEGIN
    WHILE day * day_ns <= to_ns LOOP
        name := 'events_' || to_char(to_timestamp(day * 86400) AT TIME ZONE 'UTC', 'YYYYMMDD');
        BEGIN
            EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF events FOR VALUES FROM (%s) TO (%s)',
                           name, day * day_ns, (day + 1) * day_ns);
        EXCEPTION WHEN duplicate_table OR unique_violation THEN
            NULL;
        END;
        day := day + 1;
    END LOOP;
END
$$;
