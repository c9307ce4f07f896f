-- 006: the report's reconciliation section reads every container's create, however old, to know which
-- deployment last recreated each running container. Without an index that read scans every event
-- (106 ms at a million events, linear beyond); creates are a few per deployment, so a partial index
-- holds almost nothing and makes the read a few hundred rows.
CREATE INDEX events_creates ON events (time_ns) WHERE action = 'create';
