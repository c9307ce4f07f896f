import AuditStore
import AuditSupport
import DockerAPI
@testable import Fleet
import Foundation
import Logging
import Testing

/// PostgreSQL's text cannot hold NUL, and the engine's JSON can carry one (`\u0000` in an exec's
/// arguments, given through the API): the forwarder sends it as U+FFFD, so the batch is stored instead
/// of failing on every retry and holding forwarding at that event for good.
@Suite(.serialized, .enabled(if: TestPostgres.enabled, "needs PostgreSQL 15 (scripts/install-deps installs postgresql)"))
struct FleetNULTests {
    @Test func textWithNULReachesPostgreSQLWithTheReplacementCharacter() async throws {
        try await TestPostgres.with { pg in
            try await withTemporaryDirectory { dir in
                let db = dir + "/audit.db"
                let logger = Logger(label: "test")
                let writer = try EventWriter(path: db, logger: logger, flushIntervalMs: 20)
                let base = Timestamp.now().nanoseconds - 60_000_000_000
                writer.enqueue(events: [
                    DockerEvent(type: "container", action: "exec_start", detail: "sh -c printf 'a\u{0}b'", actorID: "c1",
                                attributes: Attributes(["name": "c1", "execID": "e1", "note": "x\u{0}y"]), scope: "local", timeNano: base),
                    DockerEvent(type: "container", action: "start", actorID: "c2", attributes: Attributes(["name": "c2"]), scope: "local",
                                timeNano: base + 1_000_000),
                ], source: .stream)
                writer.enqueue(exec: ExecRecord(execID: "e1", containerID: "c1", inspectedNs: base + 2_000_000, user: "root\u{0}", privileged: false,
                                                tty: false, openStdin: false, entrypoint: "sh\u{0}", arguments: ["-c", "printf 'a\u{0}b'"]))
                await writer.flush()
                var configuration = ForwarderService.Configuration(url: try FleetURL.parse(pg.url, environment: [:]), hostName: "fleet-nul")
                configuration.pollInterval = .milliseconds(50)
                let forwarder = ForwarderService(configuration: configuration, storePath: db, logger: logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await forwarder.run() }
                    try await eventually("the events, the exec's command and its inspection in PostgreSQL") {
                        try await pg.psql("SELECT (SELECT count(*) FROM events) || ' ' || (SELECT count(*) FROM exec_commands) || ' ' || (SELECT count(*) FROM exec_sessions)") == "2 1 1"
                    }
                    group.cancelAll()
                }
                await writer.close()
                #expect(try await pg.psql("SELECT detail FROM events WHERE action = 'exec_start'") == "sh -c printf 'a\u{FFFD}b'")
                let local = try #require(try ForwardingLedger(path: db).events(after: .start(atNs: .min), limit: 10).first { $0.action == "exec_start" })
                #expect(try await pg.psql("SELECT attributes FROM events WHERE action = 'exec_start'")
                        == local.attributes.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}"), "the label as stored, a NUL replaced")
                #expect(try await pg.psql("SELECT command FROM exec_commands") == "sh -c printf 'a\u{FFFD}b'")
                #expect(try await pg.psql("SELECT entrypoint || '|' || \"user\" FROM exec_sessions") == "sh\u{FFFD}|root\u{FFFD}")
                #expect(forwarder.status.snapshot.lastError == nil)
            }
        }
    }
}
