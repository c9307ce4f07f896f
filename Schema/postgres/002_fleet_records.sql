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
-- may reach weeks behind the window): few rows, as SQLite's migration 006.
CREATE INDEX events_creates ON events (host_id, time_ns) WHERE action = 'create';

-- How far the fleet's retention has dropped event partitions: a report over a dropped window says
-- "pruned", not blind. One row, moved forward by `audit prune --db postgresql://…`.
CREATE TABLE fleet_retention (
    id                integer PRIMARY KEY CHECK (id = 1),
    events_before_ns  bigint NOT NULL,
    pruned_at         timestamptz NOT NULL DEFAULT now()
);
