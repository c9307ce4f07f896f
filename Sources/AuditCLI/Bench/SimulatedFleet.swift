import ArgumentParser
import AuditStore
import AuditSupport
import Fleet
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Hosts of a fleet for `audit bench fleet`: a store per host in a folder, each built through the
/// collector's decoder and writer (`BusyHostHistory`: health probes with their exec inspections and
/// exec_commands hours, creates and starts with their snapshots, a recorded deployment a day, updates,
/// interactive execs, restarts, coverage), then forwarded into PostgreSQL by one `ForwarderService` per
/// host, all in this process, as each host's collector would.
struct SimulatedFleet {
    let stores: [String]
    /// Events the writer stored, host by host.
    let hostEvents: [Int]
    /// Events the writers stored, every host's.
    var events: Int { hostEvents.reduce(0, +) }
    /// Rows of the other forwarded tables (snapshots, exec sessions and commands, coverage, deployments…).
    let records: Int
    /// The stores' files, write-ahead logs included.
    let sqliteBytes: Int64

    /// Every host is named `bench-host`, the host the histories' deployment records name (a record
    /// naming another host would not cover its changes); PostgreSQL tells them apart by their host ids.
    static let hostName = "bench-host"

    /// Builds `hosts` stores of `eventsPerHost` events each over `days` days ending near `endNs` (host i
    /// ends i ms earlier, so the hosts' times differ) in `directory`.
    static func build(hosts: Int, eventsPerHost: Int, days: Int, endNs: Int64, in directory: String, logger: Logger) async throws -> SimulatedFleet {
        var stores: [String] = []
        var hostEvents: [Int] = []
        var records = 0
        var bytes: Int64 = 0
        var shown = 0
        for i in 0..<hosts {
            let path = "\(directory)/host-\(i).db"
            let writer = try EventWriter(path: path, logger: logger)
            let history = BusyHostHistory(events: eventsPerHost, days: days, endNs: endNs - Int64(i) * 1_000_000)
            _ = try await history.write(to: writer, deployments: try DeploymentRepository(path: path)) { _ in }
            await writer.close(reason: "bench host built")
            hostEvents.append(writer.statistics.eventsStored)
            records += Int(try ForwardingLedger(path: path).forwardedRowCount())
            bytes += storeSize(path)
            stores.append(path)
            if (i + 1) * 10 / hosts > shown || i + 1 == hosts {
                shown = (i + 1) * 10 / hosts
                Terminal.error("  \(i + 1) of \(hosts) host stores built, \(hostEvents.reduce(0, +)) events")
            }
        }
        return SimulatedFleet(stores: stores, hostEvents: hostEvents, records: records, sqliteBytes: bytes)
    }

    func remove() {
        for store in stores { for suffix in ["", "-wal", "-shm"] { unlink(store + suffix) } }
    }

    /// How a forwarding went: from the services' start until PostgreSQL held every event and record.
    struct Run {
        var seconds: Double
        /// Events/s between the moments PostgreSQL held 10% and 90% of them: the rate once every host
        /// has connected and before the last hosts run dry.
        var sustained: Double
        /// When PostgreSQL held the first event, after connections, migrations and announcements.
        var firstEventSeconds: Double
        var events: Int
        var records: Int
    }

    /// Starts a forwarder per host against `url` and waits until PostgreSQL holds every event and every
    /// record (each host's full copy of its other tables).
    ///
    /// Progress is what the forwarders had confirmed, host by host up to the host's events: a statement
    /// cut by the forwarder's 30 s deadline may still commit, and the same rows sent again then insert
    /// nothing, so the rows PostgreSQL reported inserted undercount. Once they add up, PostgreSQL's own
    /// counts decide.
    func forward(to url: FleetURL, logger: Logger) async throws -> Run {
        let services = stores.map { path in
            var configuration = ForwarderService.Configuration(url: url, hostName: Self.hostName)
            // A simulated host stores nothing new: once caught up it only polls. At the collector's 0.5 s,
            // 1,000 of them in this process spent both cores starting threads for their empty reads, and
            // the hosts still connecting timed out (measured).
            configuration.pollInterval = .seconds(5)
            return ForwarderService(configuration: configuration, storePath: path, logger: logger)
        }
        let (events, records, hostEvents) = (self.events, self.records, self.hostEvents)
        return try await FleetReader.with(url, logger: logger) { reader in
            let clock = ContinuousClock()
            let start = clock.now
            func elapsed() -> Double { Self.seconds(clock.now - start) }
            return try await withThrowingTaskGroup(of: Void.self) { group in
                for service in services { group.addTask { try await service.run() } }
                var samples: [(seconds: Double, events: Int)] = []
                var lastShown = 0.0
                var lastProgress = (seconds: 0.0, rows: 0)
                var held: (events: Int64, records: Int64) = (0, 0)
                var checked = -1.0
                while true {
                    try await Task.sleep(for: .milliseconds(100))
                    let statuses = services.map(\.status.snapshot)
                    let confirmed = zip(statuses, hostEvents).reduce(0) { $0 + min($1.0.rowsSent, $1.1) }
                    let sent = statuses.reduce(0) { $0 + $1.recordsSent }
                    let now = elapsed()
                    samples.append((now, confirmed))
                    if confirmed >= events && now - checked >= 1 {
                        checked = now
                        held = try await reader.heldRows()
                        if held.events >= events && held.records >= records { break }
                    }
                    let progress = confirmed + sent + Int(held.records)
                    if progress > lastProgress.rows { lastProgress = (now, progress) }
                    let failing = statuses.filter { $0.lastError != nil && !$0.connected }
                    if now - lastShown >= 5 {
                        lastShown = now
                        Terminal.error("  \(Int(now)) s: \(confirmed) of \(events) events, \(sent) of \(records) records; \(statuses.filter(\.connected).count) of \(services.count) hosts connected"
                            + (failing.isEmpty ? "" : ", \(failing.count) failing (\(failing[0].lastError ?? ""))"))
                    }
                    if now - lastProgress.seconds > 120 {
                        group.cancelAll()
                        throw ValidationError("forwarding made no progress for 2 minutes at \(confirmed) of \(events) events and \(sent) of \(records) records"
                            + (failing.first?.lastError.map { "; a host's last error: \($0)" } ?? ""))
                    }
                }
                let seconds = elapsed()
                group.cancelAll()
                try await group.waitForAll()
                let first = samples.first { $0.events > 0 }?.seconds ?? seconds
                let low = samples.first { $0.events >= events / 10 } ?? (first, 0)
                let high = samples.first { $0.events >= events * 9 / 10 } ?? (seconds, events)
                let sustained = high.seconds > low.seconds ? Double(high.events - low.events) / (high.seconds - low.seconds) : Double(events) / seconds
                return Run(seconds: seconds, sustained: sustained, firstEventSeconds: first, events: events, records: records)
            }
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
