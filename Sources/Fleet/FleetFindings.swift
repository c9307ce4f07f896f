import AuditSupport
import Findings

/// One host's part of a fleet report.
public struct HostReport: Sendable {
    public var host: FleetHost
    public var model: ReportModel

    /// The host forwarded nothing of its watching after this time, which lies inside the window: from
    /// here it is blind to the fleet, not quiet.
    public var blindSinceNs: Int64? {
        let end = model.toNs
        guard let watched = host.watchedUntilNs else { return model.fromNs }
        return watched < end - FleetFindings.heartbeatSlackNs ? max(watched, model.fromNs) : nil
    }
}

/// The findings of a fleet: the one findings engine, run for each host over that host's rows, with the
/// host's name as the host deployment records must name (or leave empty) to cover its changes.
public enum FleetFindings {
    /// How old a host's last forwarded heartbeat may be before the host counts as blind: the collector
    /// touches its coverage with every write and the forwarder sends changes within seconds.
    public static let heartbeatSlackNs: Int64 = 120 * 1_000_000_000

    /// How many hosts are evaluated at once, each on a connection of its own: a host's dozen statements
    /// run one after the other, and while one host waits on PostgreSQL another's engine runs. Measured on
    /// 2 cores with the server beside it (`audit bench fleet`, 100 hosts, 24 h, median of 3): 2.35 s on 1
    /// connection, 1.42 s on 4, 1.32 s on 8, both cores busy from 4 on; a server with more cores gains more.
    public static let defaultConnections = 8

    /// Every host's report, in the order of `hosts` (the reader's `hosts()` orders them by name). Hosts
    /// are evaluated `connections` at a time, each on a connection of its own (the reader's and ones
    /// opened beside it, closed before returning), and each engine run on a thread of its own: the fleet
    /// store's reads block, so none of them ever waits on the cooperative pool.
    public static func evaluate(_ reader: FleetReader, hosts: [FleetHost], query: FindingsQuery,
                                connections: Int = defaultConnections) async throws -> [HostReport] {
        guard !hosts.isEmpty else { return [] }
        var opened: [FleetConnection] = []
        do {
            for _ in 1..<max(1, min(connections, hosts.count)) {
                opened.append(try await FleetConnection.connect(reader.url, logger: reader.connection.logger))
            }
            let reports = try await evaluate(hosts, query: query, on: [reader.connection] + opened)
            for connection in opened { await connection.close() }
            return reports
        } catch {
            for connection in opened { await connection.close() }
            throw error
        }
    }

    /// One host at a time on each connection: a connection whose host is done takes the next one.
    private static func evaluate(_ hosts: [FleetHost], query: FindingsQuery, on connections: [FleetConnection]) async throws -> [HostReport] {
        try await withThrowingTaskGroup(of: (Int, HostReport, FleetConnection).self) { group in
            var pending = hosts.indices.makeIterator()
            func start(_ index: Int, on connection: FleetConnection) {
                let host = hosts[index]
                var hostQuery = query
                hostQuery.host = host.name
                let store = FleetHostStore(host: host, connection: connection)
                group.addTask { [hostQuery] in
                    let model = try await OwnThread.run("fleet-report") { () throws in try FindingsEngine.evaluate(store, hostQuery) }
                    return (index, HostReport(host: host, model: model), connection)
                }
            }
            for connection in connections {
                guard let index = pending.next() else { break }
                start(index, on: connection)
            }
            var reports = [HostReport?](repeating: nil, count: hosts.count)
            for try await (index, report, connection) in group {
                reports[index] = report
                try Task.checkCancellation()
                if let next = pending.next() { start(next, on: connection) }
            }
            return reports.compactMap { $0 }
        }
    }
}
