import AuditStore
import DockerAPI
import Foundation
import Logging
import Testing

/// The forwarder's batches are cut at a byte budget beside their number of rows: a few events with
/// huge labels or command lines must not make a batch of gigabytes. Every batch stays under the budget
/// (one row past it goes alone), and together the batches hold every row once, in order.
struct ForwardingBatchBytesTests {
    static let base: Int64 = 1_795_000_000_000_000_000
    static let budget = 1 << 20

    /// Which of `huge()`'s command lines these are, by the number each ends in (printing them would not do).
    static func numbers(_ commands: [String?]) -> [String] {
        commands.map { $0.flatMap { $0.split(separator: " ").last.map(String.init) } ?? "nil" }
    }

    /// Twelve exec_starts in twelve containers with a 100 KB label and a 200 KB command line each, and
    /// one whose command line alone is past the budget.
    static func huge() -> [DockerEvent] {
        (0..<13).map { i in
            let command = String(repeating: i == 12 ? "y" : "x", count: i == 12 ? 3 * budget / 2 : 200_000) + " \(i)"
            return DockerEvent(type: "container", action: "exec_start", detail: command, actorID: "c\(i)",
                               attributes: Attributes(["name": "c\(i)", "big": String(repeating: "l", count: 100_000) + "\(i)"]),
                               scope: "local", timeNano: base + Int64(i) * 1_000_000)
        }
    }

    func withStore(_ body: (ForwardingLedger) throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("batch-bytes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/audit.db"
        let writer = try EventWriter(path: path, logger: Logger(label: "test"), flushIntervalMs: 20)
        let ledger = try ForwardingLedger(path: path)
        _ = try ledger.openChangeLog(target: "t", nowNs: 1)
        writer.enqueue(events: Self.huge(), source: .stream)
        await writer.flush()
        await writer.close()
        try body(ledger)
    }

    @Test func eventBatchesStayUnderTheBudget() async throws {
        try await withStore { ledger in
            var cursor = ForwardCursor.start(atNs: .min)
            var times: [Int64] = []
            var batches = 0
            while true {
                let batch = try ledger.events(after: cursor, limit: 5_000, maxBytes: Self.budget)
                guard let last = batch.last else { break }
                let bytes = batch.reduce(0) { $0 + $1.attributes.utf8.count + ($1.detail?.utf8.count ?? 0) }
                #expect(bytes <= Self.budget || batch.count == 1, "a batch of \(batch.count) events, \(bytes) bytes")
                times += batch.map(\.timeNs)
                cursor = last.cursor
                batches += 1
            }
            #expect(times == Self.huge().map(\.timeNano), "every event once, in order")
            #expect(batches == 5, "three events of 300 KB a batch, the one past the budget alone")
        }
    }

    @Test func changeBatchesAndCopyPagesStayUnderTheBudget() async throws {
        try await withStore { ledger in
            var after: Int64 = 0
            var commands: [String?] = []
            while let batch = try ledger.changes(afterSeq: after, limit: 5_000, maxBytes: Self.budget) {
                let bytes = batch.rows.reduce(0) { $0 + $1.bytes }
                let rows = batch.rows.reduce(0) { $0 + $1.count }
                #expect(bytes <= Self.budget || rows == 1, "a batch of \(rows) rows, \(bytes) bytes")
                for case .text(let texts) in batch.rows.filter({ $0.table == .execCommands }).map({ $0.values[2] }) { commands += texts }
                after = batch.throughSeq
            }
            #expect(Self.numbers(commands).sorted() == Self.numbers(Self.huge().map(\.detail)).sorted(), "every exec_commands row once")

            var key: String?
            var copied: [String?] = []
            while let page = try ledger.copyPage(.execCommands, after: key, limit: 5_000, maxBytes: Self.budget) {
                #expect(page.rows.bytes <= Self.budget || page.rows.count == 1, "a page of \(page.rows.count) rows, \(page.rows.bytes) bytes")
                if case .text(let texts) = page.rows.values[2] { copied += texts }
                key = page.lastKey
            }
            #expect(Self.numbers(copied) == Self.numbers(Self.huge().map(\.detail)), "a full copy pages through every row once, in key order")
        }
    }
}
