-- 011: a deleted row (retention) takes its change-log note with it: there is nothing left to send, and a
-- store whose forwarding target went away for good would otherwise keep a note for every row it changed
-- since, long after retention removed the rows. With these the log is never longer than the tables it
-- notes.
-- (INSERT OR REPLACE's implicit delete fires no delete trigger: recursive triggers are off.)
CREATE TRIGGER container_snapshots_forward_delete AFTER DELETE ON container_snapshots WHEN EXISTS (SELECT 1 FROM forward_changes)
BEGIN DELETE FROM forward_changes WHERE tbl = 'container_snapshots' AND row_key = CAST(OLD.id AS TEXT); END;
CREATE TRIGGER exec_sessions_forward_delete AFTER DELETE ON exec_sessions WHEN EXISTS (SELECT 1 FROM forward_changes)
BEGIN DELETE FROM forward_changes WHERE tbl = 'exec_sessions' AND row_key = OLD.exec_id; END;
-- Noted by hour and actor: the note goes with the last group of that container's hour.
CREATE TRIGGER exec_commands_forward_delete AFTER DELETE ON exec_commands
WHEN EXISTS (SELECT 1 FROM forward_changes) AND NOT EXISTS (SELECT 1 FROM exec_commands WHERE hour = OLD.hour AND actor = OLD.actor)
BEGIN DELETE FROM forward_changes WHERE tbl = 'exec_commands' AND row_key = OLD.hour || '/' || OLD.actor; END;
CREATE TRIGGER coverage_forward_delete AFTER DELETE ON coverage WHEN EXISTS (SELECT 1 FROM forward_changes)
BEGIN DELETE FROM forward_changes WHERE tbl = 'coverage' AND row_key = CAST(OLD.id AS TEXT); END;
CREATE TRIGGER gaps_forward_delete AFTER DELETE ON gaps WHEN EXISTS (SELECT 1 FROM forward_changes)
BEGIN DELETE FROM forward_changes WHERE tbl = 'gaps' AND row_key = CAST(OLD.id AS TEXT); END;
CREATE TRIGGER deployments_forward_delete AFTER DELETE ON deployments WHEN EXISTS (SELECT 1 FROM forward_changes)
BEGIN DELETE FROM forward_changes WHERE tbl = 'deployments' AND row_key = OLD.id; END;
CREATE TRIGGER drift_findings_forward_delete AFTER DELETE ON drift_findings WHEN EXISTS (SELECT 1 FROM forward_changes)
BEGIN DELETE FROM forward_changes WHERE tbl = 'drift_findings' AND row_key = OLD.id; END;
CREATE TRIGGER acks_forward_delete AFTER DELETE ON acks WHEN EXISTS (SELECT 1 FROM forward_changes)
BEGIN DELETE FROM forward_changes WHERE tbl = 'acks' AND row_key = CAST(OLD.id AS TEXT); END;
