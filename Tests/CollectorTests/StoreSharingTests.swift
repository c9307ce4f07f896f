import AuditStore
import DockerAPI
import Foundation
import Logging
import Testing

/// Several audit processes share one store: the collector writes while `audit deploy`, `audit ack` or
/// `audit import` open and close it. SQLite keeps that safe only while every connection holds its
/// locks; closing any descriptor of the file drops all of a process's POSIX locks on it, and then
/// another process, believing itself the last connection, checkpoints and deletes the WAL under the
/// writer. That corrupted a store once (CI: "database disk image is malformed"); this keeps it fixed.
@Suite(.serialized)
struct StoreSharingTests {
    @Test func anotherProcessClosingTheStoreLeavesTheWritersLogInPlace() async throws {
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            let writer = try EventWriter(path: db, logger: Logger(label: "test"))
            writer.enqueue(events: [DockerEvent(type: "container", action: "start", actorID: "c1", timeNano: 1_000)], source: .stream)
            await writer.flush()
            // A second connection in this process, as the collector's checkpointer and repositories open one.
            let second = try Database(path: db)
            try await TestEngine.run([TestEngine.auditBinary, "deploy", "--db", db, "--project", "p", "--id", "d1", "--", "true"])
            #expect(access(db + "-wal", F_OK) == 0, "another process deleted the write-ahead log under an open writer")
            writer.enqueue(events: [DockerEvent(type: "container", action: "stop", actorID: "c1", timeNano: 2_000)], source: .stream)
            await writer.close()
            _ = second
            let stored = try StoreReader(path: db).events(EventQuery(sinceNs: 0, untilNs: .max))
            #expect(stored.map(\.action) == ["start", "stop"])
        }
    }
}
