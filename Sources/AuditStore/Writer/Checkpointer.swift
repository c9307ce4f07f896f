import AuditSupport
import CSQLite
import DockerAPI
import Logging
import Synchronization

/// Copies the write-ahead log back into the database on a thread of its own.
///
/// SQLite's automatic checkpoint runs inside the committing transaction, so the writer would stall on
/// the checkpoint's writes and fsyncs while events pile up. In WAL mode a checkpoint on another
/// connection runs beside the writer (PASSIVE: it never blocks it), which keeps the writer's time
/// for events.
final class Checkpointer: Sendable {
    private let wakeup = Semaphore()
    private let finished = Semaphore()
    private let stopping = Mutex(false)

    init(path: String, logger: Logger, intervalNs: Int64 = 1_000_000_000) throws(SQLiteError) {
        let connection = Connection(db: try Database(path: path, migrate: false))
        OwnThread.start("audit-checkpoint") { [self] in
            let db = connection.db
            while true {
                _ = wakeup.wait(timeoutNs: intervalNs)
                let stop = stopping.withLock { $0 }
                // Not the PRAGMA: it reports a busy checkpoint as a result row, not as an error.
                let rc = sqlite3_wal_checkpoint_v2(db.handle, nil, stop ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE, nil, nil)
                if rc != SQLITE_OK {
                    // One that cannot run now runs at the next tick (the log only grows meanwhile). What
                    // the last one leaves stays in the log, which SQLite reads and copies later: nothing is lost.
                    let level: Logger.Level = stop ? .warning : .debug
                    logger.log(level: level, "checkpoint deferred", metadata: ["store.error": "\(db.error(rc, sql: nil))"])
                }
                if stop { break }
            }
            finished.signal()
        }
    }

    /// Handed to the checkpoint thread, the only one that uses it afterwards.
    private final class Connection: @unchecked Sendable {
        let db: Database
        init(db: Database) { self.db = db }
    }

    /// Runs a last, truncating checkpoint and stops the thread. Call after the writer's last commit.
    func stop() {
        stopping.withLock { $0 = true }
        wakeup.signal()
        finished.wait()
    }
}
