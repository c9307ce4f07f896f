import AuditStore
import AuditSupport
import Deployments
import Logging
import PostgresNIO

/// Reads the fleet's PostgreSQL for the commands that read a store (`report`, `events`, `deployments`,
/// `status`, `ack`, `prune` with `--db postgresql://…`): its hosts and the fleet-wide lists. A host's rows
/// for the findings engine are `FleetHostStore`s, which `FleetFindings` opens a few connections for.
public final class FleetReader: Sendable {
    let connection: FleetConnection

    private init(connection: FleetConnection) {
        self.connection = connection
    }

    /// Connects and brings the fleet schema up to date (a fresh database gets its tables; a newer one
    /// is refused with what to do).
    public static func open(_ url: FleetURL, logger: Logger) async throws -> FleetReader {
        FleetReader(connection: try await FleetConnection.connectMigrated(url, logger: logger))
    }

    /// Opens a reader for `body` and closes it however the body ends.
    public static func with<T: Sendable>(_ url: FleetURL, logger: Logger, _ body: (FleetReader) async throws -> T) async throws -> T {
        let reader = try await open(url, logger: logger)
        do {
            let result = try await body(reader)
            await reader.close()
            return result
        } catch {
            await reader.close()
            throw error
        }
    }

    public func close() async {
        await connection.close()
    }

    public var url: FleetURL { connection.url }

    /// Every host that ever forwarded, by name; with `named`, the hosts whose name or id is that. A host
    /// watched up to the lesser of its last forwarded heartbeat and how far its events have arrived: one
    /// still catching up on a backlog is blind over what has not arrived, not quiet.
    public func hosts(named: String? = nil) async throws -> [FleetHost] {
        let connection = self.connection
        let all = try await connection.run {
            var hosts: [FleetHost] = []
            let rows = try await connection.connection.query("""
                SELECT h.host_id, h.name,
                       least((SELECT max(coalesce(c.ended_ns, c.last_seen_ns)) FROM coverage c WHERE c.host_id = h.host_id), h.events_until_ns),
                       (SELECT events_before_ns FROM fleet_retention WHERE id = 1)
                FROM hosts h ORDER BY h.name, h.host_id
                """, logger: connection.logger)
            for try await (id, name, watched, before) in rows.decode((String, String, Int64?, Int64?).self) {
                hosts.append(FleetHost(hostID: id, name: name, watchedUntilNs: watched, eventsBeforeNs: before))
            }
            return hosts
        }
        guard let named else { return all }
        let chosen = all.filter { $0.name == named || $0.hostID == named }
        guard !chosen.isEmpty else {
            let known = all.map(\.name)
            throw FleetError(.server, "no host named \"\(named)\" forwards to \(connection.url)"
                + (known.isEmpty ? "; no host has forwarded yet (start collectors with --forward)" : "; hosts: \(known.joined(separator: ", "))"))
        }
        return chosen
    }

    /// The most `audit events --db postgresql://…` lists at once: a fleet's day is millions of events.
    public static let eventListLimit = 100_000

    /// Events of `hosts` in the window, oldest first, at most `query.limit` (else `eventListLimit`) and
    /// whether there were more; the container filter is an id prefix or a name the events carried.
    public func events(_ query: EventQuery, hosts: [FleetHost]) async throws -> (events: [(host: FleetHost, event: StoredEvent)], truncated: Bool) {
        let byID = Dictionary(hosts.map { ($0.hostID, $0) }, uniquingKeysWith: { a, _ in a })
        let ids = Array(byID.keys)
        let container = query.container
        let prefix = container.map { $0.lowercased() + "%" }
        let limit = query.limit ?? Self.eventListLimit
        let connection = self.connection
        let found = try await connection.run {
            var out: [(String, StoredEvent)] = []
            let rows = try await connection.connection.query("""
                SELECT \(unescaped: FleetHostReads.eventColumns) FROM events e
                WHERE e.host_id = ANY(\(ids)) AND e.time_ns BETWEEN \(query.sinceNs) AND \(query.untilNs)
                  AND (\(query.type)::text IS NULL OR e.type = \(query.type))
                  AND (\(query.project)::text IS NULL OR e.project = \(query.project))
                  AND (\(container)::text IS NULL OR e.actor_id LIKE \(prefix)
                       OR (e.attributes::jsonb ->> 'name') = \(container))
                ORDER BY e.time_ns, e.host_id, e.actor_id LIMIT \(Int64(limit) + 1)
                """, logger: connection.logger)
            for try await row in rows { out.append(try FleetHostReads.event(row)) }
            return out
        }
        let events = found.prefix(limit).compactMap { id, event in byID[id].map { ($0, event) } }
        return (events, found.count > limit)
    }

    /// Deployment records overlapping the window, each with where it came from: a host's collector
    /// (its name) or `audit serve` (nil).
    public func deployments(fromNs: Int64, toNs: Int64) async throws -> [(receivedBy: String?, record: DeploymentRecord)] {
        let connection = self.connection
        let rows = try await connection.run {
            var rows: [(String?, String, String, Int64)] = []
            let result = try await connection.connection.query("""
                SELECT h.name, d.id, d.record, d.received_ns FROM deployments d LEFT JOIN hosts h ON h.host_id = d.origin
                WHERE d.started_ns <= \(toNs) AND coalesce(d.finished_ns, \(Int64.max)) >= \(fromNs)
                ORDER BY d.started_ns, d.origin, d.id
                """, logger: connection.logger)
            for try await row in result.decode((String?, String, String, Int64).self) { rows.append(row) }
            return rows
        }
        return try rows.map { name, id, json, received in
            var record: DeploymentRecord
            do {
                record = try DeploymentRecord.parseWire(Array(json.utf8), defaultSource: .webhook)
            } catch {
                throw FleetError(.server, "the fleet's deployment \(id) cannot be read: \(error)")
            }
            record.receivedAt = Timestamp(nanoseconds: received)
            return (name, record)
        }
    }

    /// `audit ack --db postgresql://…`: an acknowledgement for the whole fleet (host id '').
    public func acknowledge(findingID: String, by: String, reason: String, atNs: Int64, expiresNs: Int64?) async throws {
        let connection = self.connection
        try await connection.run {
            try await connection.connection.query("""
                INSERT INTO acks (host_id, id, finding_id, by, reason, at_ns, expires_ns)
                VALUES ('', nextval('central_ack_ids'), \(findingID), \(by), \(reason), \(atNs), \(expiresNs))
                """, logger: connection.logger)
        }
    }
}
