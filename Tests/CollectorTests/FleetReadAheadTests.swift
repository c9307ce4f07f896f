@testable import AuditCLI
import AuditStore
import AuditSupport
import Findings
@testable import Fleet
import Foundation
import Logging
import Matcher
import Testing

/// A fleet report reads a batch of hosts ahead with one statement a read (`FleetHostRows`) and runs
/// each host's engine over those rows: every host must get exactly the report it gets when its store
/// reads PostgreSQL host by host, whatever the fleet's own rows (records posted to `audit serve`,
/// fleet-wide acknowledgements) and whichever window the engine asks.
@Suite(.serialized, .enabled(if: TestPostgres.enabled, "needs PostgreSQL 15 (install-deps installs postgresql)"))
struct FleetReadAheadTests {
    static let hourNs: Int64 = 3_600_000_000_000

    @Test func readingAheadGivesEveryHostTheReportItReadsAlone() async throws {
        try await TestPostgres.with { pg in
            let logger = Logger(label: "test")
            let url = try FleetURL.parse(pg.url, environment: [:])
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("audit-read-ahead-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let endNs = Int64(Date().timeIntervalSince1970) * 1_000_000_000
            // Busy hosts as the bench builds them: probes, creates with snapshots, a deployment a day,
            // out-of-band updates, interactive execs, restarts.
            let fleet = try await SimulatedFleet.build(hosts: 5, eventsPerHost: 3_000, days: 3, endNs: endNs, in: directory, logger: logger)
            defer { fleet.remove() }
            _ = try await fleet.forward(to: url, logger: logger)

            func query(hours: Int64) -> FindingsQuery {
                FindingsQuery(fromNs: endNs - hours * Self.hourNs, toNs: endNs, nowNs: endNs + 1_000_000_000, host: SimulatedFleet.hostName,
                              maxAgeNs: 24 * Self.hourNs)
            }
            func encoded(_ findings: [Finding]) throws -> String {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                return String(decoding: try encoder.encode(findings), as: UTF8.self)
            }

            try await FleetReader.with(url, logger: logger) { reader in
                var hosts = try await reader.hosts()
                #expect(hosts.count == 5)
                // Read ahead in batches of two (more batches than connections), each host's findings, in-band
                // changes and reconciliation are what the engine finds in that host's own SQLite store.
                for hours: Int64 in [24, 72] {
                    let q = query(hours: hours)
                    let fleetReports = try await FleetFindings.evaluate(reader, hosts: hosts, query: q, connections: 2, hostsPerBatch: 2)
                    for path in fleet.stores {
                        let store = try StoreReader(path: path)
                        let id = try #require(try store.hostIdentity()).hostID
                        let fromPostgres = try #require(fleetReports.first { $0.host.hostID == id }).model
                        let own = try FindingsEngine.evaluate(store, q)
                        #expect(!own.findings.isEmpty && !own.attributed.isEmpty && !own.reconciliation.isEmpty)
                        #expect(try encoded(fromPostgres.findings) == encoded(own.findings), "\(hours) h")
                        #expect(fromPostgres.attributed == own.attributed, "\(hours) h")
                        #expect(fromPostgres.reconciliation == own.reconciliation, "\(hours) h")
                    }
                }

                // The first host's records posted to `audit serve` as well: every host is named as they name
                // theirs, so the fleet's copies cover the other hosts' changes too, and merge with the first's.
                _ = try await pg.psql("""
                    INSERT INTO deployments (origin, id, source, status, started_ns, finished_ns, project, host, record, received_ns, updated_ns)
                    SELECT '', id, source, status, started_ns, finished_ns, project, host, record, received_ns, updated_ns + 1
                    FROM deployments WHERE origin = '\(hosts[0].hostID)'
                    """)
                // The first host renamed: the fleet's copies, which name `bench-host`, no longer apply to it over
                // all time, and it comes last in name order.
                _ = try await pg.psql("UPDATE hosts SET name = 'web-0' WHERE host_id = '\(hosts[0].hostID)'")
                hosts = try await reader.hosts()
                #expect(hosts.map(\.name) == ["bench-host", "bench-host", "bench-host", "bench-host", "web-0"])
                // A person's `docker exec` without a tty on the last host: found only through its exec
                // group, which is not the container's health probe.
                let catAt = endNs - 2 * Self.hourNs
                _ = try await pg.psql("""
                    WITH c AS (SELECT container_id, project, service FROM latest_snapshots
                               WHERE host_id = '\(hosts[4].hostID)' AND running ORDER BY container_id LIMIT 1)
                    , e AS (INSERT INTO events (host_id, time_ns, type, actor_id, action, detail, attributes, extra, source, project, service)
                            SELECT '\(hosts[4].hostID)', \(catAt), 'container', container_id, 'exec_start', 'cat /etc/app.conf', '{}',
                                   '{"execID":"x-cat"}', 0, project, service FROM c)
                    , x AS (INSERT INTO exec_commands (host_id, hour, container_id, command, count, first_ns, last_ns)
                            SELECT '\(hosts[4].hostID)', \(catAt / Self.hourNs), container_id, 'cat /etc/app.conf', 1, \(catAt), \(catAt) FROM c)
                    INSERT INTO exec_sessions (host_id, exec_id, container_id, inspected_ns, "user", tty, privileged, entrypoint, arguments)
                    SELECT '\(hosts[4].hostID)', 'x-cat', container_id, \(catAt + 1_000_000), 'root', false, false, 'cat', '["/etc/app.conf"]' FROM c
                    """)
                func alone(_ query: FindingsQuery, readAhead: FindingsQuery? = nil) async throws -> [HostReport] {
                    var reports: [HostReport] = []
                    var rows: [String: FleetHostRows]?
                    if let readAhead { rows = try await FleetHostRows.read(hosts, FindingsReads(readAhead), on: reader.connection) }
                    for host in hosts {
                        var hostQuery = query
                        hostQuery.host = host.name
                        let store = FleetHostStore(host: host, connection: reader.connection, readAhead: rows?[host.hostID])
                        let model = try await OwnThread.run("test") { [hostQuery] () throws in try FindingsEngine.evaluate(store, hostQuery) }
                        reports.append(HostReport(host: host, model: model))
                    }
                    return reports
                }
                func json(_ reports: [HostReport], _ query: FindingsQuery) throws -> String {
                    try FleetReportRendering.json(reports, fromNs: query.fromNs, toNs: query.toNs, inBand: true)
                }

                // One finding acknowledged fleet-wide, another by its host alone (the simulated hosts' histories
                // are alike: the same finding ids recur on every host).
                let day = try await alone(query(hours: 24))
                let first = try #require(day[1].model.findings.first, "the simulated host has out-of-band changes")
                let second = try #require(day[2].model.findings.first { $0.id != first.id })
                #expect(day[3].model.findings.contains { $0.id == second.id })
                _ = try await pg.psql("""
                    INSERT INTO acks (host_id, id, finding_id, by, reason, at_ns) VALUES
                        ('', 1, '\(first.id)', 'ops', 'fleet-wide', \(endNs)), ('\(hosts[2].hostID)', 900, '\(second.id)', 'ops', 'host', \(endNs))
                    """)

                for hours: Int64 in [1, 24, 72] {
                    let q = query(hours: hours)
                    let expected = try json(try await alone(q), q)
                    let ahead = try await FleetFindings.evaluate(reader, hosts: hosts, query: q, connections: 2, hostsPerBatch: 2)
                    #expect(try json(ahead, q) == expected, "read ahead, \(hours) h")
                    // Rows read ahead for another window are not used for this one.
                    #expect(try json(try await alone(q, readAhead: query(hours: hours == 1 ? 24 : 1)), q) == expected, "read ahead for another window, \(hours) h")
                    if hours == 72 {
                        // Every kind of read was answered from the rows read ahead, the exec groups' events
                        // and the execs' inspections included, not only the bulk reads.
                        let rows = try await FleetHostRows.read(hosts, FindingsReads(q), on: reader.connection)
                        #expect(rows.values.contains { !$0.execStarts.values.joined().isEmpty }, "a group other than a probe")
                        #expect(rows.values.contains { !$0.execs.isEmpty && !$0.interactiveExecStarts.isEmpty }, "an interactive exec")
                        #expect(rows.values.allSatisfy { !$0.snapshots.isEmpty && !$0.creates.isEmpty && !$0.everyDeployment.isEmpty })
                    }
                    if hours == 24 {
                        let findings = ahead.map(\.model.findings)
                        #expect(findings.allSatisfy { !$0.isEmpty }, "every host has findings")
                        #expect(findings[1].first { $0.id == first.id }?.status == .acknowledged, "the fleet-wide acknowledgement")
                        #expect(findings[2].first { $0.id == second.id }?.status == .acknowledged, "the host's own acknowledgement")
                        #expect(findings[3].first { $0.id == second.id }?.status != .acknowledged, "another host's acknowledgement")
                        #expect(ahead.allSatisfy { !$0.model.reconciliation.isEmpty }, "every host has running compose containers")
                        #expect(findings[4].contains { $0.action == "exec_start" && $0.timeNano == catAt }, "the exec found through its group")
                        #expect(ahead.allSatisfy { $0.model.deployments.count == ahead[0].model.deployments.count }, "the fleet's records reach every host")
                    }
                }
            }
        }
    }
}
