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

    /// Reads block on PostgreSQL: call from an `OwnThread`, never the cooperative pool.
    public static func evaluate(_ reader: FleetReader, hosts: [FleetHost], query: FindingsQuery) throws -> [HostReport] {
        try hosts.map { host in
            var hostQuery = query
            hostQuery.host = host.name
            return HostReport(host: host, model: try FindingsEngine.evaluate(reader.store(for: host), hostQuery))
        }
    }
}
