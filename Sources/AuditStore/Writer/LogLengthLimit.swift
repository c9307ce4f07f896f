import CSQLite

/// Keeps the write-ahead log from growing without end during a long burst of events.
///
/// The checkpointer copies the log into the database beside the writer, but SQLite only starts the
/// log over once every frame is copied, and under a steady stream the writer has always appended
/// more by then: in a million-event ingest the log reached 250 MB, every page lookup searched a
/// bigger log index, and the final checkpoint spent 0.7 s on it. So when the log passes the limit
/// after a commit, the writer itself copies what the checkpointer has not yet (usually a fraction
/// of a second's worth: the bulk was copied beside it) and the next transaction starts the log over.
/// Created on the caller's thread, then used only on the writer thread (hence unchecked); the frame
/// count arrives through the connection's WAL hook.
final class LogLengthLimit: @unchecked Sendable {
    private let db: Database
    private let limitFrames: Int32
    /// Frames in the log after the last commit, as the WAL hook reported them.
    private var frames: Int32 = 0

    /// `limitBytes` of log at the database's page size (64 MiB: 4096 pages of 16 KiB).
    init(db: Database, limitBytes: Int) throws(SQLiteError) {
        self.db = db
        let pageSize = try db.prepare("PRAGMA page_size")
        let bytesPerPage = try pageSize.step() ? max(512, Int(pageSize.int64(0))) : 4096
        limitFrames = Int32(max(1, limitBytes / bytesPerPage))
        // A log that starts over is cut back to the limit.
        try db.execute("PRAGMA journal_size_limit = \(limitBytes)")
        // The hook replaces SQLite's automatic checkpoint: none runs inside the writer's commits.
        // Unretained: deinit removes the hook before this object goes.
        sqlite3_wal_hook(db.handle, { context, _, _, frames in
            Unmanaged<LogLengthLimit>.fromOpaque(context!).takeUnretainedValue().frames = frames
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit { sqlite3_wal_hook(db.handle, nil, nil) }

    /// Call between transactions.
    func enforce() {
        guard frames >= limitFrames else { return }
        var logFrames: Int32 = 0, copied: Int32 = 0
        // PASSIVE never waits: while the checkpointer holds the checkpoint lock this is BUSY, and the
        // next commit tries again.
        let rc = sqlite3_wal_checkpoint_v2(db.handle, nil, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copied)
        if rc == SQLITE_OK && copied == logFrames { frames = 0 }
    }
}
