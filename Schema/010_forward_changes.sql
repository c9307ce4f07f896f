-- 010: what changed in the tables the forwarder sends beside the events (`audit collect --forward`).
-- Events are found by time; these rows change in place (a coverage interval's heartbeat, a gap's
-- reconciliation, a deployment's finish), so every insert and update notes the row here and the
-- forwarder sends what the log names after what PostgreSQL confirmed (hosts.changes_seq there).
-- One row per source row: a repeated change deletes the note and adds it again with a new seq, so the
-- log stays as long as the rows changed since the last confirmation, not as long as the changes. (Not
-- INSERT OR REPLACE: an ON CONFLICT clause on the statement that fires a trigger overrides the
-- trigger's own, and the writer's upserts, exec_commands' and deployments', made the note fail its
-- UNIQUE constraint.) exec_commands is noted by hour and actor ('hour/actor'): the forwarder sends that
-- container's groups of the hour. (By the hour alone, every poll sent the whole hour again: with 200
-- containers running health checks, some 400 rows a second for a handful that changed.)
-- Deletions (retention) are not noted: the fleet keeps its own retention. Nothing is noted until a
-- forwarding target exists.
CREATE TABLE forward_changes (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    tbl      TEXT NOT NULL,
    row_key  TEXT NOT NULL,
    UNIQUE (tbl, row_key)
);

-- The highest seq deleted from the log once a target confirmed it: a PostgreSQL whose changes_seq is
-- older than that (restored from a backup, or another target) missed rows and gets a full copy.
ALTER TABLE forwarding ADD COLUMN changes_pruned_seq INTEGER NOT NULL DEFAULT 0;
-- Rows of a full copy still to send (changes_seq NULL in PostgreSQL), for `audit status`; 0 otherwise.
ALTER TABLE forwarding ADD COLUMN copy_rows_left INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER container_snapshots_forward_insert AFTER INSERT ON container_snapshots WHEN EXISTS (SELECT 1 FROM forwarding)
BEGIN DELETE FROM forward_changes WHERE tbl = 'container_snapshots' AND row_key = CAST(NEW.id AS TEXT); INSERT INTO forward_changes (tbl, row_key) VALUES ('container_snapshots', CAST(NEW.id AS TEXT)); END;
CREATE TRIGGER container_snapshots_forward_update AFTER UPDATE ON container_snapshots WHEN EXISTS (SELECT 1 FROM forwarding)
BEGIN DELETE FROM forward_changes WHERE tbl = 'container_snapshots' AND row_key = CAST(NEW.id AS TEXT); INSERT INTO forward_changes (tbl, row_key) VALUES ('container_snapshots', CAST(NEW.id AS TEXT)); END;

-- The writer stores an inspection with INSERT OR REPLACE: the insert trigger fires for it.
CREATE TRIGGER exec_sessions_forward_insert AFTER INSERT ON exec_sessions WHEN EXISTS (SELECT 1 FROM forwarding)
BEGIN DELETE FROM forward_changes WHERE tbl = 'exec_sessions' AND row_key = NEW.exec_id; INSERT INTO forward_changes (tbl, row_key) VALUES ('exec_sessions', NEW.exec_id); END;
CREATE TRIGGER exec_sessions_forward_update AFTER UPDATE ON exec_sessions WHEN EXISTS (SELECT 1 FROM forwarding)
BEGIN DELETE FROM forward_changes WHERE tbl = 'exec_sessions' AND row_key = NEW.exec_id; INSERT INTO forward_changes (tbl, row_key) VALUES ('exec_sessions', NEW.exec_id); END;

CREATE TRIGGER exec_commands_forward_insert AFTER INSERT ON exec_commands WHEN EXISTS (SELECT 1 FROM forwarding)
BEGIN DELETE FROM forward_changes WHERE tbl = 'exec_commands' AND row_key = NEW.hour || '/' || NEW.actor; INSERT INTO forward_changes (tbl, row_key) VALUES ('exec_commands', NEW.hour || '/' || NEW.actor); END;
CREATE TRIGGER exec_commands_forward_update AFTER UPDATE ON exec_commands WHEN EXISTS (SELECT 1 FROM forwarding)
BEGIN DELETE FROM forward_changes WHERE tbl = 'exec_commands' AND row_key = NEW.hour || '/' || NEW.actor; INSERT INTO forward_changes (tbl, row_key) VALUES ('exec_commands', NEW.hour || '/' || NEW.actor); END;

CREATE TRIGGER coverage_forward_insert AFTER INSERT ON coverage WHEN EXISTS (SELECT 1 FROM forwarding)
BEGIN DELETE FROM forward_changes WHERE tbl = 'coverage' AND row_key = CAST(NEW.id AS TEXT); INSERT INTO forward_changes (tbl, row_key) VALUES ('coverage', CAST(NEW.id AS TEXT)); END;
CREATE TRIGGER coverage_forward_update AFTER UPDATE ON coverage WHEN EXISTS (SELECT 1 FROM forwarding)
BEGIN DELETE FROM forward_changes WHERE tbl = 'coverage' AND row_key = CAST(NEW.id AS TEXT); INSERT INTO forward_changes (tbl, row_key) VALUES ('coverage', CAST(NEW.id AS TEXT)); END;

CREATE TRIGGER gaps_forward_insert AFTER INSERT ON gaps WHEN EXISTS (SELECT 1 FROM forwarding)
BEGIN DELETE FROM forward_changes WHERE tbl = 'gaps' AND row_key = CAST(NEW.id AS TEXT); INSERT INTO forward_changes (tbl, row_key) VALUES ('gaps', CAST(NEW.id AS TEXT)); END;
CREATE TRIGGER gaps_forward_update AFTER UPDATE ON gaps WHEN EXISTS (SELECT 1 FROM forwarding)
BEGIN DELETE FROM forward_changes WHERE tbl = 'gaps' AND row_key = CAST(NEW.id AS TEXT); INSERT INTO forward_changes (tbl, row_key) VALUES ('gaps', CAST(NEW.id AS TEXT)); END;

CREATE TRIGGER deployments_forward_insert AFTER INSERT ON deployments WHEN EXISTS (SELECT 1 FROM forwarding)
BEGIN DELETE FROM forward_changes WHERE tbl = 'deployments' AND row_key = NEW.id; INSERT INTO forward_changes (tbl, row_key) VALUES ('deployments', NEW.id); END;
CREATE TRIGGER deployments_forward_update AFTER UPDATE ON deployments WHEN EXISTS (SELECT 1 FROM forwarding)
BEGIN DELETE FROM forward_changes WHERE tbl = 'deployments' AND row_key = NEW.id; INSERT INTO forward_changes (tbl, row_key) VALUES ('deployments', NEW.id); END;

CREATE TRIGGER drift_findings_forward_insert AFTER INSERT ON drift_findings WHEN EXISTS (SELECT 1 FROM forwarding)
BEGIN DELETE FROM forward_changes WHERE tbl = 'drift_findings' AND row_key = NEW.id; INSERT INTO forward_changes (tbl, row_key) VALUES ('drift_findings', NEW.id); END;
CREATE TRIGGER drift_findings_forward_update AFTER UPDATE ON drift_findings WHEN EXISTS (SELECT 1 FROM forwarding)
BEGIN DELETE FROM forward_changes WHERE tbl = 'drift_findings' AND row_key = NEW.id; INSERT INTO forward_changes (tbl, row_key) VALUES ('drift_findings', NEW.id); END;

CREATE TRIGGER acks_forward_insert AFTER INSERT ON acks WHEN EXISTS (SELECT 1 FROM forwarding)
BEGIN DELETE FROM forward_changes WHERE tbl = 'acks' AND row_key = CAST(NEW.id AS TEXT); INSERT INTO forward_changes (tbl, row_key) VALUES ('acks', CAST(NEW.id AS TEXT)); END;
CREATE TRIGGER acks_forward_update AFTER UPDATE ON acks WHEN EXISTS (SELECT 1 FROM forwarding)
BEGIN DELETE FROM forward_changes WHERE tbl = 'acks' AND row_key = CAST(NEW.id AS TEXT); INSERT INTO forward_changes (tbl, row_key) VALUES ('acks', CAST(NEW.id AS TEXT)); END;
