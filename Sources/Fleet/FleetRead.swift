import PostgresNIO

/// One statement of the reads a fleet host's report makes, for one host or for many at once: each row
/// comes back with the id of the host it belongs to.
struct FleetRead<Value: Sendable>: Sendable {
    var query: PostgresQuery
    var row: @Sendable (PostgresRow) throws -> (hostID: String, value: Value)

    /// Every row, in the statement's order.
    func rows(on connection: FleetConnection) async throws -> [(hostID: String, value: Value)] {
        let query = self.query
        let row = self.row
        return try await connection.run {
            var out: [(hostID: String, value: Value)] = []
            for try await each in try await connection.connection.query(query, logger: connection.logger) { out.append(try row(each)) }
            return out
        }
    }

    /// The rows of each host, each host's in the statement's order.
    func byHost(on connection: FleetConnection) async throws -> [String: [Value]] {
        var out: [String: [Value]] = [:]
        for (hostID, value) in try await rows(on: connection) { out[hostID, default: []].append(value) }
        return out
    }

    /// The values alone, waiting for them on this thread (the findings engine's reads block: run it on
    /// an `OwnThread`).
    func values(on connection: FleetConnection) throws -> [Value] {
        let read = self
        return try Blocking.wait { try await read.rows(on: connection).map(\.value) }
    }
}
