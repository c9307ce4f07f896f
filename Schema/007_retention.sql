-- 007: retention. `audit collect --retention/--probe-retention` and `audit prune` delete old rows; a
-- report over a window they emptied must say "pruned", not show it as a blind stretch. One row per kind:
--   'events'  everything older than before_ns is gone (events, snapshots but each container's latest,
--             coverage, gaps, deployments, findings, acks…), but what is still in effect;
--   'probes'  health-probe events older than before_ns are gone; their counts stay in exec_commands.
CREATE TABLE retention_horizons (
    kind       TEXT PRIMARY KEY,
    before_ns  INTEGER NOT NULL,
    pruned_ns  INTEGER NOT NULL
);

-- Retention deletes exec inspections by time (the probes' with their hour, the rest with the retention);
-- without this each pass would scan the table.
CREATE INDEX exec_sessions_by_time ON exec_sessions (inspected_ns);
