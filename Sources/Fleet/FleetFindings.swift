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

    /// How many batches of hosts are read and evaluated at once, each on a connection of its own: while
    /// one batch waits on PostgreSQL another's engines run. Measured on 2 cores with the server beside it
    /// (`audit bench fleet`, 100 hosts, rows read ahead, medians of 3-5): 24 h 0.69-0.86 s on 4 connections,
    /// 0.75-0.91 s on 8; 7 d 3.4-4.1 s on 4, 1.9-2.3 s on 8.
    public static let defaultConnections = 8

    /// Every host's report, in the order of `hosts` (the reader's `hosts()` orders them by name). Hosts
    /// are split into batches of at most `hostsPerBatch`, evaluated `connections` batches at a time, each
    /// on a connection of its own (the reader's and ones opened beside it, closed before returning), and
    /// each engine run on a thread of its own: the fleet store's reads block, so none of them ever waits
    /// on the cooperative pool.
    public static func evaluate(_ reader: FleetReader, hosts: [FleetHost], query: FindingsQuery,
                                connections: Int = defaultConnections, hostsPerBatch: Int = hostsReadTogether) async throws -> [HostReport] {
        guard !hosts.isEmpty else { return [] }
        let size = max(1, min(hostsPerBatch, (hosts.count + max(connections, 1) - 1) / max(connections, 1)))
        let batches = stride(from: 0, to: hosts.count, by: size).map { $0..<min($0 + size, hosts.count) }
        var opened: [FleetConnection] = []
        do {
            for _ in 1..<max(1, min(connections, batches.count)) {
                opened.append(try await FleetConnection.connect(reader.url, logger: reader.connection.logger))
            }
            let reports = try await evaluate(hosts, in: batches, query: query, on: [reader.connection] + opened)
            for connection in opened { await connection.close() }
            return reports
        } catch {
            for connection in opened { await connection.close() }
            throw error
        }
    }

    /// At most this many hosts' rows are read ahead together (and held while their engines run).
    public static let hostsReadTogether = 25

    /// A batch of hosts at a time on each connection: their rows read ahead with one statement a read
    /// (`FleetHostRows`), then each host's engine in turn over them; a connection whose batch is done
    /// takes the next one.
    private static func evaluate(_ hosts: [FleetHost], in batches: [Range<Int>], query: FindingsQuery,
                                 on connections: [FleetConnection]) async throws -> [HostReport] {
        let reads = FindingsReads(query)
        return try await withThrowingTaskGroup(of: ([(Int, HostReport)], FleetConnection).self) { group in
            var pending = batches.makeIterator()
            func start(_ batch: Range<Int>, on connection: FleetConnection) {
                group.addTask {
                    let rows = try await FleetHostRows.read(Array(hosts[batch]), reads, on: connection)
                    var reports: [(Int, HostReport)] = []
                    for index in batch {
                        try Task.checkCancellation()
                        let host = hosts[index]
                        var hostQuery = query
                        hostQuery.host = host.name
                        let store = FleetHostStore(host: host, connection: connection, readAhead: rows[host.hostID])
                        let model = try await OwnThread.run("fleet-report") { [hostQuery] () throws in try FindingsEngine.evaluate(store, hostQuery) }
                        reports.append((index, HostReport(host: host, model: model)))
                    }
                    return (reports, connection)
                }
            }
            for connection in connections {
                guard let batch = pending.next() else { break }
                start(batch, on: connection)
            }
            var reports = [HostReport?](repeating: nil, count: hosts.count)
            for try await (done, connection) in group {
                for (index, report) in done { reports[index] = report }
                try Task.checkCancellation()
                if let next = pending.next() { start(next, on: connection) }
            }
            return reports.compactMap { $0 }
        }
    }
}
