import AuditStore
import PostgresNIO

/// The statements that forward the tables beside the events (`Schema/postgres/002_fleet_records.sql`):
/// rows upserted by their key with the host in front, and the change-log seq PostgreSQL holds them up to.
extension FleetConnection {
    /// The host's change-log seq up to which PostgreSQL holds its rows; nil: it holds none yet (a full
    /// copy comes first).
    func changesSeq(hostID: String) async throws -> Int64? {
        try await run {
            var seq: Int64?
            for try await value in try await self.connection.query("SELECT changes_seq FROM hosts WHERE host_id = \(hostID)", logger: self.logger)
                .decode(Int64?.self) {
                seq = value
            }
            return seq
        }
    }

    /// Upserts `batches` (one multi-row statement per table) and, when `changesSeq` is given, records
    /// that PostgreSQL holds the host's changes up to it, in one transaction: the seq never runs ahead of
    /// the rows, and rows sent again replace themselves.
    func upsert(_ batches: [ForwardedRows], hostID: String, changesSeq: Int64?) async throws {
        let statements = try batches.filter { $0.count > 0 }.map { try Self.upsert($0, hostID: hostID) }
        try await run {
            try await self.connection.query("BEGIN", logger: self.logger)
            do {
                for statement in statements { try await self.connection.query(statement, logger: self.logger) }
                if let changesSeq {
                    try await self.connection.query("UPDATE hosts SET changes_seq = \(changesSeq) WHERE host_id = \(hostID)", logger: self.logger)
                }
                try await self.connection.query("COMMIT", logger: self.logger)
            } catch {
                _ = try? await self.connection.query("ROLLBACK", logger: self.logger)
                throw error
            }
        }
    }

    /// `INSERT … SELECT $1, * FROM unnest(…) ON CONFLICT (key) DO UPDATE` for one table's rows.
    static func upsert(_ rows: ForwardedRows, hostID: String) throws -> PostgresQuery {
        let table = rows.table
        let columns = table.columns
        var binds = PostgresBindings(capacity: columns.count + 1)
        try binds.append(hostID)
        var arrays: [String] = []
        for (index, values) in rows.values.enumerated() {
            let parameter = "$\(index + 2)"
            switch values {
            case .integer(let a):
                binds.append(NullableArray(elements: a))
                arrays.append(parameter + "::bigint[]")
            case .text(let a):
                binds.append(NullableArray(elements: a))
                arrays.append(parameter + "::text[]")
            case .boolean(let a):
                binds.append(NullableArray(elements: a))
                arrays.append(parameter + "::boolean[]")
            }
        }
        let owner = table.fleetOwnerColumn
        let key = [owner] + table.fleetKey
        let names = columns.map { "\"\($0.name)\"" }
        let changing = columns.filter { !table.fleetKey.contains($0.name) }.map { "\"\($0.name)\"" }
        // A row sent again unchanged (a full copy over rows PostgreSQL holds, a log entry whose row was
        // already sent) writes nothing: no new row version, no WAL, no index update.
        let sql = """
            INSERT INTO \(table.fleetName) AS t (\(owner), \(names.joined(separator: ", ")))
            SELECT $1, * FROM unnest(\(arrays.joined(separator: ", ")))
            ON CONFLICT (\(key.map { "\"\($0)\"" }.joined(separator: ", "))) DO UPDATE SET \(changing.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", "))
            WHERE (\(changing.map { "t.\($0)" }.joined(separator: ", "))) IS DISTINCT FROM (\(changing.map { "EXCLUDED.\($0)" }.joined(separator: ", ")))
            """
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }
}

extension ForwardedTable {
    /// The table's name in the fleet's schema.
    var fleetName: String { self == .containerSnapshots ? "snapshots" : rawValue }

    /// Who the rows belong to: the host, or for deployments the host that received them (`origin`, ''
    /// being `audit serve`'s).
    var fleetOwnerColumn: String { self == .deployments ? "origin" : "host_id" }

    /// The key after the owner column.
    var fleetKey: [String] {
        self == .execCommands ? ["hour", "container_id", "command"] : [columns[0].name]
    }
}
