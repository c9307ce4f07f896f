import ArgumentParser
import AuditStore
import AuditSupport
import Fleet
#if canImport(Glibc)
import Glibc
#endif

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the store: path and size, event counts, coverage and gaps, last event age, quarantined lines.",
        discussion: "With --db postgresql://… the fleet: its database, and per host the last event forwarded and whether its watching still reaches the fleet (a host whose forwarded heartbeat is over 2 minutes old is blind)."
    )

    @OptionGroup var store: StoreOptions

    func validate() throws { try store.validateLogLevel() }

    func run() async throws {
        if let url = try store.fleetURL() {
            try await fleet(url)
            return
        }
        let path = try store.resolvedPath()
        let reader = try StoreReader(path: path)
        let s = try reader.status()
        let now = Timestamp.now().nanoseconds
        func time(_ ns: Int64) -> String { RFC3339.format(Timestamp(nanoseconds: ns)) }
        func age(_ ns: Int64) -> String { DurationFormat.short(nanoseconds: now - ns) + " ago" }
        var out = Terminal.Buffered()
        let size = storeSize(path)
        out.line("store       \(path) (\(ByteSize.describe(size)), schema v\(s.schemaVersion))")
        let total = s.eventsBySource.reduce(0) { $0 + $1.1 }
        out.line("events      \(total) (" + s.eventsBySource.map { "\($0.0.name) \($0.1)" }.joined(separator: ", ") + ")")
        if !s.eventsByType.isEmpty { out.line("by type     " + s.eventsByType.map { "\($0.0) \($0.1)" }.joined(separator: ", ")) }
        if let newest = s.newestEventNs, let oldest = s.oldestEventNs {
            out.line("last event  \(time(newest)) (\(age(newest))); first \(time(oldest))")
        } else {
            out.line("last event  none yet")
        }
        out.line("snapshots   \(s.snapshots) container snapshots, \(s.execs) exec inspections")
        out.line("coverage    \(s.intervalCount) connected interval(s)")
        for i in s.recentIntervals {
            let end = i.open ? "now (connected, last heartbeat \(age(i.endNs)))" : "\(time(i.endNs)) (\(i.endReason ?? "ended"))"
            out.line("            \(time(i.startedNs)) → \(end)  [\(i.dockerHost)]")
        }
        out.line("gaps        \(s.gapCount)" + (s.gapCount > 0 ? ": changes inside a gap were only seen by reconciliation" : ""))
        for g in s.recentGaps {
            out.line("            \(time(g.fromNs)) → \(time(g.toNs)) (\(DurationFormat.short(nanoseconds: g.toNs - g.fromNs))): \(g.cause); replayed \(g.replayed) events, reconciliation found \(g.changesFound.map(String.init) ?? "?") change(s)")
        }
        let horizons = try reader.retentionHorizons()
        if horizons.eventsBeforeNs != nil || horizons.probesBeforeNs != nil {
            out.line("retention   " + [horizons.eventsBeforeNs.map { "events before \(time($0)) pruned" },
                                       horizons.probesBeforeNs.map { "health-probe events before \(time($0)) pruned (their hourly counts kept)" }]
                .compactMap { $0 }.joined(separator: "; "))
        }
        try forwarding(reader, newestNs: s.newestEventNs, time: time, age: age, into: &out)
        out.line("quarantine  \(s.quarantinedCount) malformed line(s)")
        for q in s.recentQuarantine {
            out.line("            \(time(q.receivedNs)) \(VisibleText.escaped(q.reason)): \(VisibleText.escaped(q.preview))")
        }
    }

    /// The host's fleet identity and, per PostgreSQL target, what it has not confirmed yet: the events
    /// after the newest time it confirmed, counted now in this store.
    private func forwarding(_ reader: StoreReader, newestNs: Int64?, time: (Int64) -> String, age: (Int64) -> String,
                            into out: inout Terminal.Buffered) throws {
        let states = try reader.forwardingStates()
        guard !states.isEmpty, let host = try reader.hostIdentity() else { return }
        out.line("host        \(host.name.isEmpty ? "(no name yet)" : host.name) (fleet id \(host.hostID))")
        // The change log keeps only what no target has confirmed yet (it is cut as PostgreSQL confirms).
        let changes = try reader.pendingForwardChanges()
        for state in states {
            let pending = try state.confirmedNs.map { try reader.eventCount(fromNs: $0 + 1, toNs: .max, limit: 10_000_000) }
                ?? reader.eventCount(fromNs: .min, toNs: .max, limit: 10_000_000)
            let records = changes + state.copyRowsLeft
            var line = "forwarding  \(state.target): "
            if pending == 0 && records == 0 {
                line += "caught up"
            } else if pending == 0 {
                line += "events caught up"
            } else {
                let behind = state.confirmedNs.flatMap { confirmed in newestNs.map { DurationFormat.short(nanoseconds: $0 - confirmed) + " behind" } } ?? "nothing confirmed yet"
                line += "\(pending)\(pending == 10_000_000 ? "+" : "") event(s) not confirmed, \(behind)"
            }
            if records > 0 {
                line += ", \(records) changed record(s) not confirmed" + (state.copyRowsLeft > 0 ? " (a full copy under way)" : "")
            }
            line += "; last success " + (state.lastSuccessNs.map(age) ?? "never")
            out.line(line)
            if let error = state.lastError, let at = state.lastErrorNs, at > (state.lastSuccessNs ?? .min) {
                out.line("            last error \(time(at)): \(VisibleText.escaped(error))")
            }
        }
    }

    private func fleet(_ url: FleetURL) async throws {
        let status = try await FleetReader.with(url, logger: store.makeLogger(label: "audit.status")) { try await $0.status() }
        let now = Timestamp.now().nanoseconds
        func time(_ ns: Int64) -> String { RFC3339.format(Timestamp(nanoseconds: ns)) }
        func age(_ ns: Int64) -> String { DurationFormat.short(nanoseconds: now - ns) + " ago" }
        var out = Terminal.Buffered()
        out.line("fleet       \(url) (\(ByteSize.describe(status.databaseBytes)), fleet schema v\(status.schemaVersion))")
        out.line("hosts       \(status.hosts.count)" + (status.hosts.isEmpty ? ": none has forwarded yet (start collectors with --forward)" : ""))
        let rows = status.hosts.map { h -> [String] in
            let watching: String
            if let until = h.host.watchedUntilNs, now - until <= FleetFindings.heartbeatSlackNs {
                watching = "watching (heartbeat \(age(until)))"
            } else {
                watching = "blind since " + (h.host.watchedUntilNs.map { "\(time($0)) (\(age($0)))" } ?? "ever (no coverage forwarded)")
            }
            return [h.host.name, h.host.hostID, h.newestEventNs.map { "\(time($0)) (\(age($0)))" } ?? "none", watching,
                    h.lastConnectedNs.map(age) ?? "never"]
        }
        if !rows.isEmpty {
            for line in Table.render(header: ["HOST", "ID", "LAST EVENT", "STATE", "FORWARDER CONNECTED"], rows: rows) { out.line("            " + line) }
        }
        if let before = status.eventsBeforeNs { out.line("retention   events before \(time(before)) dropped") }
    }
}
