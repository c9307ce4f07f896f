@testable import AuditCLI
import AuditStore
import Foundation
import Logging
import Synchronization
import Testing

/// What the CLI prints and logs from values that arrived over a socket.
@Suite struct OutputEscapingTests {
    @Test func tableCellsCannotDriveTheTerminalOrForgeRows() {
        let lines = Table.render(header: ["NAME", "DETAIL"], rows: [["c1", "sh -c echo hidden\u{1B}[2K\u{1B}[1Ainnocent"], ["c2\nFORGED", "x"]])
        #expect(lines.count == 3)
        #expect(lines[1] == #"c1          sh -c echo hidden\u001b[2K\u001b[1Ainnocent"#)
        #expect(lines[2].hasPrefix(#"c2\nFORGED"#))
        #expect(Markdown.cell("a|b\u{07}\nc") == #"a\|b\u0007\nc"#)
    }

    /// An error can quote what a store or a database holds (a path, a host name): the binary writes it
    /// with its control characters escaped, as every other line.
    @Test func errorMessagesCannotDriveTheTerminal() async throws {
        do {
            _ = try await TestEngine.run([TestEngine.auditBinary, "status", "--db", "/tmp/audit-no-such-dir-\u{1B}[2J/x.db"])
            Issue.record("status on a missing store succeeded")
        } catch let failed as TestEngine.CommandFailed {
            #expect(failed.status == 1)
            #expect(!failed.stderr.contains("\u{1B}") && failed.stderr.contains(#"\u001b[2J"#), "\(failed.stderr)")
        }
    }

    @Test func logMessagesAndMetadataCannotForgeLines() {
        final class Recorder: LogHandler, @unchecked Sendable {
            var logLevel: Logger.Level = .trace
            var metadata: Logger.Metadata = [:]
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }
            let lines = Mutex<[String]>([])
            func log(event: LogEvent) {
                let all = metadata.merging(event.metadata ?? [:]) { $1 }
                lines.withLock { $0.append("\(event.message) " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) }
            }
        }
        let recorder = Recorder()
        var logger = Logger(label: "t") { _ in VisibleLogHandler(wrapped: recorder) }
        logger[metadataKey: "deployment.id"] = "d1\n2026-12-01T00:00:00Z info forged line"
        logger.info("stored \u{1B}[31mred", metadata: ["webhook.delivery_id": "x\r\ny"])
        let line = recorder.lines.withLock { $0 }.first ?? ""
        #expect(!line.contains("\n") && !line.contains("\r") && !line.contains("\u{1B}"))
        #expect(line == #"stored \u001b[31mred deployment.id=d1\n2026-12-01T00:00:00Z info forged line webhook.delivery_id=x\r\ny"#)
    }

    @Test func anExistingStoreReadableByOthersIsTightened() throws {
        try withTemporaryDirectorySync { dir in
            let path = dir + "/audit.db"
            _ = try Database(path: path)
            chmod(path, 0o644)
            _ = try Database(path: path)
            var info = stat()
            #expect(stat(path, &info) == 0)
            #expect(info.st_mode & 0o777 == 0o600)
        }
    }
}

private func withTemporaryDirectorySync(_ body: (String) throws -> Void) throws {
    let dir = NSTemporaryDirectory() + "audit-escape-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try body(dir)
}
