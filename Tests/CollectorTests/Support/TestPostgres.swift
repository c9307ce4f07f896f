import Foundation
import Testing

/// A PostgreSQL 15 server of the test's own (Debian's postgresql-15, installed by scripts/install-deps):
/// initdb in a folder under /tmp as the `postgres` user (root may not run it), a loopback port and a
/// socket in that folder, password authentication over TCP (so a wrong password can be tried) and trust
/// on the socket, which the test's own psql uses. `with` stops it however the body ends.
final class TestPostgres: Sendable {
    static let binaries = "/usr/lib/postgresql/15/bin"
    static let available = FileManager.default.isExecutableFile(atPath: binaries + "/initdb")
    /// Run the suite where PostgreSQL is installed, and under CI always (where its absence must fail).
    static let enabled = available || TestEngine.isCI
    static let user = "audit"
    static let password = "fleet-pw-4711"

    let directory: String
    let port: Int

    /// The URL the collector forwards to; its password is what the log must never show.
    var url: String { "postgresql://\(Self.user):\(Self.password)@127.0.0.1:\(port)/audit?sslmode=disable" }
    /// The same URL as the collector shows it.
    var maskedURL: String { "postgresql://\(Self.user):***@127.0.0.1:\(port)/audit?sslmode=disable" }

    private init(directory: String, port: Int) {
        self.directory = directory
        self.port = port
    }

    /// Starts a server with an empty database `audit`, runs `body`, and stops the server.
    static func with<T>(_ body: (TestPostgres) async throws -> T) async throws -> T {
        try #require(available, "CI=true but PostgreSQL 15 is not installed at \(binaries): scripts/install-deps installs postgresql")
        let directory = "/tmp/audit-pg-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let server = TestPostgres(directory: directory, port: Int.random(in: 20_000...29_999))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await server.asPostgres(["chown", "postgres", directory], root: true)
        try "\(password)\n".write(toFile: directory + "/pw", atomically: false, encoding: .utf8)
        try await server.asPostgres(["chown", "postgres", directory + "/pw"], root: true)
        try await server.asPostgres([binaries + "/initdb", "-D", directory + "/data", "-U", user, "--auth-local=trust", "--auth-host=scram-sha-256",
                                     "--pwfile=" + directory + "/pw", "--no-sync"])
        do {
            try await server.start()
            try await server.psql("CREATE DATABASE audit", database: "postgres")
            let result = try await body(server)
            await server.stopQuietly()
            return result
        } catch {
            await server.stopQuietly()
            throw error
        }
    }

    func start(options: String = "") async throws {
        try await asPostgres([Self.binaries + "/pg_ctl", "-D", directory + "/data", "-l", directory + "/log", "-w", "-o",
                              "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off \(options)", "start"])
    }

    /// Stops the server and starts it again offering TLS with this certificate and key (PEM files,
    /// copied into the server's folder for the `postgres` user, who must own the key).
    func restartWithTLS(certificate: String, key: String) async throws {
        try await stop()
        for (file, name) in [(certificate, "server.crt"), (key, "server.key")] {
            try await TestEngine.run(["install", "-m", "600", file, directory + "/" + name])
            try await asPostgres(["chown", "postgres", directory + "/" + name], root: true)
        }
        try await start(options: "-c ssl=on -c ssl_cert_file=\(directory)/server.crt -c ssl_key_file=\(directory)/server.key")
    }

    /// `pg_ctl -m fast stop`: connections are cut, as when the server goes away.
    func stop() async throws {
        try await asPostgres([Self.binaries + "/pg_ctl", "-D", directory + "/data", "-m", "fast", "-w", "stop"])
    }

    private func stopQuietly() async {
        _ = try? await asPostgres([Self.binaries + "/pg_ctl", "-D", directory + "/data", "-m", "fast", "-w", "stop"])
    }

    /// psql over the socket (trust), unaligned output without headers: one row per line, `|` between columns.
    @discardableResult
    func psql(_ sql: String, database: String = "audit") async throws -> String {
        try await TestEngine.run(["psql", "-X", "-q", "-At", "-h", directory, "-p", String(port), "-U", Self.user, "-d", database, "-v", "ON_ERROR_STOP=1", "-c", sql])
    }

    /// Runs `arguments` as the `postgres` user when we are root (initdb and the server refuse root);
    /// with `root`, only when we are root (chown).
    @discardableResult
    private func asPostgres(_ arguments: [String], root: Bool = false) async throws -> String {
        if root { return getuid() == 0 ? try await TestEngine.run(arguments) : "" }
        if getuid() != 0 { return try await TestEngine.run(arguments) }
        return try await TestEngine.run(["runuser", "-u", "postgres", "--"] + arguments)
    }
}
