-- fleet 002: everything else a host forwards beside its events, and what `audit serve` and `audit ack`
-- write centrally. Every key starts with host_id (a host's own rows) or origin (the host that received a
-- deployment, '' for `audit serve`), so the tables distribute by it like `events`. Local ids (SQLite
-- rowids) are kept as they are: with the host in front they are unique, and a row sent twice is the same
-- row (upsert), which makes forwarding exactly once in effect.

-- What the forwarder has confirmed of this host's changed rows (every table below): the host's change
-- log sequence up to which PostgreSQL holds the rows, moved in the same transaction as the rows. NULL:
-- nothing was sent yet, the forwarder sends every row once (a full copy) and then follows the log.
ALTER TABLE hosts ADD COLUMN changes_seq bigint;

-- How far the host's events have reached PostgreSQL, on the host's clock: every event it stored with a
-- time before this is here. A report takes the host as watching only up to the lesser of this and its
-- coverage heartbeat, so a host still catching up on a backlog reads as blind there, not as quiet.
ALTER TABLE hosts ADD COLUMN events_until_ns bigint;

-- Container snapshots (SQLite container_snapshots). config is the normalised inspect as JSON text,
-- NULL for a removal.
CREATE TABLE snapshots (
    host_id        text NOT NULL,
    id             bigint NOT NULL,
    container_id   text NOT NULL,
    taken_ns       bigint NOT NULL,
    trigger_ns     bigint,
    reason         text NOT NULL,
    name           text,
    image_id       text,
    image_ref      text,
    started_at_ns  bigint,
    running        boolean,
    config         text,
    project        text,
    service        text,
    PRIMARY KEY (host_id, id)
);
CREATE INDEX snapshots_by_container ON snapshots (host_id, container_id, id);

-- Exec inspections (SQLite exec_sessions). arguments: a JSON array of strings.
CREATE TABLE exec_sessions (
    host_id       text NOT NULL,
    exec_id       text NOT NULL,
    container_id  text NOT NULL,
    inspected_ns  bigint NOT NULL,
    "user"        text,
    privileged    boolean,
    tty           boolean,
    open_stdin    boolean,
    entrypoint    text,
    arguments     text,
    PRIMARY KEY (host_id, exec_id)
);
CREATE INDEX exec_sessions_interactive ON exec_sessions (host_id, inspected_ns) WHERE tty OR privileged;

-- exec_start per hour, container and command line (SQLite exec_commands): a report tells probes from
-- people by these rows without reading the probes.
CREATE TABLE exec_commands (
    host_id       text NOT NULL,
    hour          bigint NOT NULL,
    container_id  text NOT NULL,
    command       text NOT NULL,
    count         bigint NOT NULL,
    first_ns      bigint NOT NULL,
    last_ns       bigint NOT NULL,
    PRIMARY KEY (host_id, hour, container_id, command)
);

-- When the host's collector watched its engine's stream (SQLite coverage): a host that stops forwarding
-- has no coverage after its last forwarded heartbeat, so it shows as blind, not as quiet.
CREATE TABLE coverage (
    host_id       text NOT NULL,
    id            bigint NOT NULL,
    docker_host   text NOT NULL,
    started_ns    bigint NOT NULL,
    last_seen_ns  bigint NOT NULL,
    ended_ns      bigint,
    end_reason    text,
    PRIMARY KEY (host_id, id)
);

-- Times nobody watched, and what reconciliation found (SQLite gaps).
CREATE TABLE gaps (
    host_id        text NOT NULL,
    id             bigint NOT NULL,
    docker_host    text NOT NULL,
    from_ns        bigint NOT NULL,
    to_ns          bigint NOT NULL,
    cause          text NOT NULL,
    replayed       bigint NOT NULL DEFAULT 0,
    reconciled_ns  bigint,
    changes_found  bigint,
    PRIMARY KEY (host_id, id)
);

-- Deployment records. origin: the host id of the collector that received it (it applies to that host
-- only), or '' for one posted to `audit serve` (it applies to the host its `host` field names, or to
-- every host when that is empty). record: the wire JSON, kept whole.
CREATE TABLE deployments (
    origin       text NOT NULL,
    id           text NOT NULL,
    source       text NOT NULL,
    status       text NOT NULL,
    started_ns   bigint NOT NULL,
    finished_ns  bigint,
    project      text,
    host         text,
    record       text NOT NULL,
    received_ns  bigint NOT NULL,
    updated_ns   bigint NOT NULL,
    PRIMARY KEY (origin, id)
);
CREATE INDEX deployments_by_start ON deployments (started_ns);

-- Deliveries `audit serve` already processed (X-GitHub-Delivery, Idempotency-Key, webhook-id): a replay
-- stores nothing, as on a host.
CREATE TABLE webhook_deliveries (
    delivery_id    text PRIMARY KEY,
    deployment_id  text NOT NULL,
    received_ns    bigint NOT NULL,
    body_digest    text
);
CREATE INDEX webhook_deliveries_by_body ON webhook_deliveries (body_digest) WHERE body_digest IS NOT NULL;

-- Drift findings of the host's `--compose-file` checks (SQLite drift_findings).
CREATE TABLE drift_findings (
    host_id         text NOT NULL,
    id              text NOT NULL,
    project         text NOT NULL,
    service         text NOT NULL,
    container_id    text,
    container_name  text,
    field           text NOT NULL,
    kind            text NOT NULL,
    severity        text NOT NULL,
    expected        text,
    actual          text,
    first_seen_ns   bigint NOT NULL,
    last_seen_ns    bigint NOT NULL,
    resolved_ns     bigint,
    PRIMARY KEY (host_id, id)
);

-- Acknowledgements: a host's (`audit ack` on it, forwarded) under its host id with its local id, and the
-- fleet's (`audit ack --db postgresql://…`) under host_id '' with ids from central_ack_ids.
CREATE TABLE acks (
    host_id     text NOT NULL,
    id          bigint NOT NULL,
    finding_id  text NOT NULL,
    by          text NOT NULL,
    reason      text NOT NULL,
    at_ns       bigint NOT NULL,
    expires_ns  bigint,
    PRIMARY KEY (host_id, id)
);
CREATE SEQUENCE central_ack_ids;

-- A window's changes without its health probes, as SQLite's migration 004: most of a busy host's events
-- are the exec family and health_status, which a report reads through exec_commands instead. Created on
-- the parent, so every day partition gets its own.
CREATE INDEX events_changes ON events (host_id, time_ns) WHERE left(action, 5) <> 'exec_' AND action <> 'health_status';

-- Every compose container's create, whenever it happened, for the report's reconciliation section (which
-- may reach weeks behind the window): few rows, copied out of `events` as they arrive. A table rather than
-- a partial index on `events`: a read without a time bound planned over every day partition (7.7 ms for
-- 31 days, for every host of every report), and `audit prune --db` dropping a day took the creates of
-- containers still running with it, which the host's own retention keeps.
CREATE TABLE compose_creates (
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
    PRIMARY KEY (host_id, time_ns, actor_id)
);

CREATE FUNCTION fleet_keep_compose_create() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO compose_creates (host_id, time_ns, type, actor_id, action, detail, attributes, extra, scope, source, project, service)
    VALUES (NEW.host_id, NEW.time_ns, NEW.type, NEW.actor_id, NEW.action, NEW.detail, NEW.attributes, NEW.extra, NEW.scope,
            NEW.source, NEW.project, NEW.service)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

-- On the parent, so every day partition gets it; fires only for rows the insert stored (not for a row
-- sent again and skipped by ON CONFLICT).
CREATE TRIGGER events_keep_compose_creates AFTER INSERT ON events FOR EACH ROW
    WHEN (NEW.action = 'create' AND NEW.project IS NOT NULL AND NEW.type = 'container')
    EXECUTE FUNCTION fleet_keep_compose_create();

-- Each container's latest snapshot, with the fields the reconciliation section reads from its config
-- (running, name, created): a report reads a host's running compose containers by key instead of ranking
-- every snapshot the host ever forwarded and parsing their JSON. config is parsed once, as the snapshot
-- arrives; one that is not JSON (never written by a collector) reads as not running rather than failing
-- the forwarder's batch. A snapshot forwarded late, older than the one held, changes nothing.
CREATE TABLE latest_snapshots (
    host_id       text NOT NULL,
    container_id  text NOT NULL,
    snapshot_id   bigint NOT NULL,
    project       text,
    service       text,
    running       boolean NOT NULL,
    name          text,
    created       text,
    PRIMARY KEY (host_id, container_id)
);

CREATE FUNCTION fleet_keep_latest_snapshot() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    config jsonb;
BEGIN
    IF NEW.config IS NOT NULL THEN
        BEGIN
            config := NEW.config::jsonb;
        EXCEPTION WHEN invalid_text_representation THEN
            config := NULL;
        END;
    END IF;
    INSERT INTO latest_snapshots AS l (host_id, container_id, snapshot_id, project, service, running, name, created)
    VALUES (NEW.host_id, NEW.container_id, NEW.id, NEW.project, NEW.service, coalesce(config ->> 'running' = 'true', false),
            config ->> 'name', config ->> 'created')
    ON CONFLICT (host_id, container_id) DO UPDATE
        SET snapshot_id = EXCLUDED.snapshot_id, project = EXCLUDED.project, service = EXCLUDED.service,
            running = EXCLUDED.running, name = EXCLUDED.name, created = EXCLUDED.created
        WHERE l.snapshot_id <= EXCLUDED.snapshot_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER snapshots_keep_latest AFTER INSERT OR UPDATE ON snapshots FOR EACH ROW
    EXECUTE FUNCTION fleet_keep_latest_snapshot();

-- How far the fleet's retention has dropped event partitions: a report over a dropped window says
-- "pruned", not blind. One row, moved forward by `audit prune --db postgresql://…`.
CREATE TABLE fleet_retention (
    id                integer PRIMARY KEY CHECK (id = 1),
    events_before_ns  bigint NOT NULL,
    pruned_at         timestamptz NOT NULL DEFAULT now()
);
