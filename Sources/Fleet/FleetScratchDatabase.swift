import Logging
import PostgresNIO

/// A database of its own on the fleet's server, beside the one a URL names, for `audit bench fleet`: each
/// part of the bench forwards into an empty database, so its rows, its size and its hosts are its own.
public enum FleetScratchDatabase {
    /// The URL of database `name` on the server `url` names, created empty unless it exists; `existed`
    /// says which. The URL's user must be allowed to create databases.
    public static func open(_ name: String, beside url: FleetURL, logger: Logger) async throws -> (url: FleetURL, existed: Bool) {
        let quoted = try identifier(name)
        let existed = try await withConnection(url, logger: logger) { connection in
            var found = false
            for try await _ in try await connection.connection.query("SELECT 1 FROM pg_database WHERE datname = \(name)", logger: connection.logger) {
                found = true
            }
            if !found { try await connection.connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(quoted)"), logger: connection.logger) }
            return found
        }
        var scratch = url
        scratch.database = name
        return (scratch, existed)
    }

    /// Drops database `name` from the server `url` names, if it exists.
    public static func drop(_ name: String, beside url: FleetURL, logger: Logger) async throws {
        let quoted = try identifier(name)
        try await withConnection(url, logger: logger) { connection in
            try await connection.connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)"), logger: connection.logger)
        }
    }

    /// CREATE and DROP DATABASE take no parameters: the name is checked, then quoted.
    private static func identifier(_ name: String) throws -> String {
        guard !name.isEmpty, name.utf8.count <= 63, name.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }) else {
            throw FleetError(.server, "\"\(name)\" is not a scratch database name: use up to 63 lowercase letters, digits and underscores")
        }
        return "\"\(name)\""
    }

    private static func withConnection<T: Sendable>(_ url: FleetURL, logger: Logger, _ body: @escaping @Sendable (FleetConnection) async throws -> T) async throws -> T {
        let connection = try await FleetConnection.connect(url, logger: logger)
        do {
            let value = try await connection.run { try await body(connection) }
            await connection.close()
            return value
        } catch {
            await connection.close()
            throw error
        }
    }
}
