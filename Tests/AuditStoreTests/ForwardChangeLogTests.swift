@testable import AuditStore
import DockerAPI
import Foundation
import Logging
import Testing

/// The change log of migration 010: nothing is noted before the store has a forwarding target; then
/// one entry per changed row (an hour and container for exec_commands), a repeated change moving it to a new seq, and
/// what a target confirmed leaves the log with how far it was cut.
struct ForwardChangeLogTests {
    static let hourNs: Int64 = 3_600_000_000_000
    static let base: Int64 = 1_795_000_000_000_000_000 / hourNs * hourNs

    static func execs(_ range: Range<Int>, container: String = "c1") -> [DockerEvent] {
        range.map { i in
            DockerEvent(type: "container", action: "exec_start", detail: "true", actorID: container, attributes: Attributes(["name": container]),
                        scope: "local", timeNano: base + Int64(i) * 1_000_000)
        }
    }

    func logged(_ path: String) throws -> [(seq: Int64, table: String, key: String)] {
        let db = try Database(path: path, readOnly: true, migrate: false)
        var rows: [(Int64, String, String)] = []
        try db.prepare("SELECT seq, tbl, row_key FROM forward_changes ORDER BY seq").forEachRow { row in
            rows.append((row.int64(0), row.string(1) ?? "", row.string(2) ?? ""))
        }
        return rows
    }

    @Test func repeatedChangesCoalesceAndConfirmedOnesLeave() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("changes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/audit.db"
        let writer = try EventWriter(path: path, logger: Logger(label: "test"), flushIntervalMs: 20)
        writer.enqueue(events: Self.execs(0..<10), source: .stream)
        await writer.flush()
        #expect(try logged(path).isEmpty, "a store that never forwards logs nothing")

        let ledger = try ForwardingLedger(path: path)
        #expect(try ledger.openChangeLog(target: "t", nowNs: 1) == .init(newestSeq: 0, prunedSeq: 0))
        // Three batches touch the same hour's group; a gap is stored and then reconciled.
        for batch in 1...3 {
            writer.enqueue(events: Self.execs(batch * 10..<batch * 10 + 10), source: .stream)
            await writer.flush()
        }
        writer.record(gap: GapRecord(dockerHost: "test", fromNs: Self.base, toNs: Self.base + 5, cause: "test", replayed: 0, reconciledNs: nil, changesFound: nil))
        await writer.flush()
        let log = try logged(path)
        #expect(log.map(\.table) == ["exec_commands", "gaps"], "one entry per row, however often it changed")
        let actor = try Database(path: path, readOnly: true, migrate: false).prepare("SELECT id FROM actors WHERE docker_id = 'c1'")
        _ = try actor.step()
        let c1 = actor.int64(0)
        actor.reset()
        #expect(log[0].key == "\(Self.base / Self.hourNs)/\(c1)", "noted by hour and actor")
        #expect(log[0].seq == 3, "each change took a new seq: the entry moved to the latest")

        let batch = try #require(try ledger.changes(afterSeq: 0, limit: 100))
        #expect(batch.throughSeq == log[1].seq)
        #expect(batch.entries == 2)
        let commands = try #require(batch.rows.first { $0.table == .execCommands })
        #expect(commands.count == 1)
        #expect(commands.values[1] == .text(["c1"]), "the actor row resolved to the container id")
        #expect(commands.values[3] == .integer([40]), "the group's total now, not the change's")
        #expect(batch.rows.first { $0.table == .gaps }?.count == 1)

        // Confirmed: the log is cut, and says how far.
        try ledger.pruneChanges(throughSeq: batch.throughSeq, target: "t")
        #expect(try logged(path).isEmpty)
        #expect(try ledger.changes(afterSeq: batch.throughSeq, limit: 100) == nil)
        #expect(try ledger.openChangeLog(target: "t", nowNs: 2) == .init(newestSeq: batch.throughSeq, prunedSeq: batch.throughSeq))
        // A later change is noted after it.
        writer.enqueue(events: Self.execs(40..<41), source: .stream)
        await writer.flush()
        #expect(try logged(path).map(\.seq) == [batch.throughSeq + 1])
        #expect(try ledger.pendingChanges(afterSeq: batch.throughSeq) == 1)
        await writer.close()
    }

    /// Migration 011: a row retention deletes takes its note along, so a store whose target went away
    /// keeps no notes for rows long gone; an (hour, container)'s note stays while it has a group left.
    @Test func deletedRowsLeaveTheLog() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("changes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/audit.db"
        let writer = try EventWriter(path: path, logger: Logger(label: "test"), flushIntervalMs: 20)
        _ = try ForwardingLedger(path: path).openChangeLog(target: "t", nowNs: 1)
        writer.enqueue(events: Self.execs(0..<5, container: "c1") + Self.execs(5..<10, container: "c2"), source: .stream)
        writer.enqueue(events: Self.execs(10..<12, container: "c2").map { var e = $0; e.detail = "sh -c probe"; return e }, source: .stream)
        writer.record(gap: GapRecord(dockerHost: "test", fromNs: Self.base, toNs: Self.base + 5, cause: "test", replayed: 0, reconciledNs: nil, changesFound: nil))
        await writer.flush()
        await writer.close()
        #expect(try logged(path).map(\.table).sorted() == ["exec_commands", "exec_commands", "gaps"], "a note for c1's hour, one for c2's")

        let db = try Database(path: path)
        try db.prepare("DELETE FROM gaps").run()
        try db.prepare("DELETE FROM exec_commands WHERE actor = (SELECT id FROM actors WHERE docker_id = 'c1')").run()
        #expect(try logged(path).map(\.table) == ["exec_commands"], "c2's hour is left")
        try db.prepare("DELETE FROM exec_commands WHERE command = 'true'").run()
        #expect(try logged(path).map(\.table) == ["exec_commands"], "c2's hour still has a group")
        try db.prepare("DELETE FROM exec_commands").run()
        #expect(try logged(path).isEmpty)
    }
}
