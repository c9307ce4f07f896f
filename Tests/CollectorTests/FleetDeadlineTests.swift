@testable import Fleet
import Foundation
import Logging
import PostgresNIO
import Testing

/// Every wait on PostgreSQL ends: the server cancels a statement itself before the client's deadline,
/// a connect whose startup is never answered fails within its own deadline, and a statement never
/// answered is said as such, not as an unreachable server.
@Suite(.serialized, .enabled(if: TestPostgres.enabled, "needs PostgreSQL 15 (scripts/install-deps installs postgresql)"))
struct FleetDeadlineTests {
    /// Stops a PostgreSQL process (SIGSTOP) for `body`: it keeps its sockets and answers nothing.
    func frozen<T>(_ pid: Int32, _ body: () async throws -> T) async throws -> T {
        kill(pid, SIGSTOP)
        defer { kill(pid, SIGCONT) }
        return try await body()
    }

    @Test func eachSessionHasTheServersStatementTimeout() async throws {
        try await TestPostgres.with { pg in
            let connection = try await FleetConnection.connect(try FleetURL.parse(pg.url, environment: [:]), logger: Logger(label: "test"))
            let timeout = try await connection.run {
                var value = ""
                for try await row in try await connection.connection.query("SHOW statement_timeout", logger: connection.logger).decode(String.self) { value = row }
                return value
            }
            #expect(timeout == "25s")
            await connection.close()
        }
    }

    @Test func aServerThatNeverAnswersTheStartupFailsTheConnect() async throws {
        try await TestPostgres.with { pg in
            let postmaster = try #require(Int32(try String(contentsOfFile: pg.directory + "/data/postmaster.pid", encoding: .utf8)
                .split(separator: "\n")[0]))
            let url = try FleetURL.parse(pg.url, environment: [:])
            let started = ContinuousClock.now
            let error = try await frozen(postmaster) {
                await #expect(throws: FleetError.self) { _ = try await FleetConnection.connect(url, logger: Logger(label: "test")) }
            }
            #expect(error?.kind == .unreachable, "\(String(describing: error))")
            #expect(ContinuousClock.now - started < .seconds(15))
        }
    }

    @Test func aStatementNeverAnsweredIsSaidAsNoAnswer() async throws {
        try await TestPostgres.with { pg in
            let url = try FleetURL.parse(pg.url, environment: [:])
            let connection = try await FleetConnection.connect(url, logger: Logger(label: "test"))
            try await connection.migrate()
            let backend = try await connection.run {
                var pid: Int32 = 0
                for try await row in try await connection.connection.query("SELECT pg_backend_pid()", logger: connection.logger).decode(Int32.self) { pid = row }
                return pid
            }
            let started = ContinuousClock.now
            let error = try await frozen(backend) {
                await #expect(throws: FleetError.self) { _ = try await connection.confirmedNs(hostID: "h") }
            }
            #expect(ContinuousClock.now - started < .seconds(35))
            #expect(error?.kind == .unreachable)
            #expect(error?.message == "PostgreSQL at \(pg.maskedURL) did not answer within 30 s (a slow statement, a lock wait, or a cut network)")
            await connection.close()
        }
    }
}
