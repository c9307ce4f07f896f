import ArgumentParser
import AuditStore
import AuditSupport
import Fleet

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Show stored events, like `docker events`, from the durable store.",
        discussion: """
            JSON output is one object per line: time (RFC 3339, nanoseconds), timeNano, type, action (without \
            the exec command), actorID, name, attributes, scope, source (stream, ingest or reconciliation), and \
            command for execs / status for health_status.
            With --db postgresql://… the events of every host forwarding there (or --host NAME), with a host \
            column (JSON: host).
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var window: TimeWindowOptions

    @Option(help: ArgumentHelp("Only this container: a name it had, or an id prefix.", valueName: "name|id"))
    var container: String?

    @Option(help: ArgumentHelp("Only this event type: container, image, network, volume, daemon…", valueName: "type"))
    var type: String?

    @Option(help: ArgumentHelp("Only containers of this compose project.", valueName: "project"))
    var project: String?

    @Option(help: ArgumentHelp("With a postgresql:// --db: only this fleet host (its name or id).", valueName: "name"))
    var host: String?

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    func validate() throws { try store.validateLogLevel() }

    func run() async throws {
        let (since, until) = try window.resolve()
        if let url = try store.fleetURL() {
            let query = EventQuery(sinceNs: since.nanoseconds, untilNs: until.nanoseconds, container: container, type: type, project: project)
            let found = try await FleetReader.with(url, logger: store.makeLogger(label: "audit.events")) { [host] reader in
                try await reader.events(query, hosts: try await reader.hosts(named: host))
            }
            print(found.events, since: since, until: until)
            if found.truncated {
                Terminal.error("showing the first \(FleetReader.eventListLimit) events of the fleet; narrow with --since/--until, --host, --container or --type")
            }
            return
        }
        if host != nil { throw ValidationError("--host reads a fleet: give --db a postgresql:// URL") }
        let reader = try StoreReader(path: try store.resolvedPath())
        let events = try reader.events(EventQuery(sinceNs: since.nanoseconds, untilNs: until.nanoseconds, container: container, type: type, project: project))
        var out = Terminal.Buffered()
        switch format {
        case .json:
            for event in events { out.line(EventRendering.json(event)) }
        case .table:
            if events.isEmpty {
                Terminal.error("no events stored between \(RFC3339.format(since)) and \(RFC3339.format(until))\(container.map { " for container \($0)" } ?? "")")
                return
            }
            let rows = events.map(EventRendering.row)
            for line in Table.render(header: ["TIME", "TYPE", "ACTION", "NAME", "ID", "DETAIL", "SOURCE"], rows: rows) { out.line(line) }
        }
    }
}

extension EventsCommand {
    private func print(_ found: [(host: FleetHost, event: StoredEvent)], since: Timestamp, until: Timestamp) {
        var out = Terminal.Buffered()
        switch format {
        case .json:
            for (host, event) in found { out.line(EventRendering.json(event, host: host.name)) }
        case .table:
            if found.isEmpty {
                Terminal.error("no events forwarded between \(RFC3339.format(since)) and \(RFC3339.format(until))\(container.map { " for container \($0)" } ?? "")")
                return
            }
            let rows = found.map { [$0.host.name] + EventRendering.row($0.event) }
            for line in Table.render(header: ["HOST", "TIME", "TYPE", "ACTION", "NAME", "ID", "DETAIL", "SOURCE"], rows: rows) { out.line(line) }
        }
        out.flush()
    }
}

/// How one stored event reads in each output format.
enum EventRendering {
    static func json(_ e: StoredEvent, host: String? = nil) -> String {
        var w = JSONWriter()
        w.beginObject()
        if let host { w.field("host", host) }
        w.field("time", RFC3339.format(Timestamp(nanoseconds: e.timeNano)))
        w.field("timeNano", e.timeNano)
        w.field("type", e.type)
        w.field("action", e.action)
        w.field("actorID", e.actorID)
        w.field("name", e.name)
        w.key("attributes")
        w.object(e.attributes.pairs.map { ($0.key, $0.value) })
        w.field("scope", e.scope)
        w.field("source", e.source.name)
        if let detail = e.detail {
            if e.action.hasPrefix("exec_") { w.field("command", SecretMask.command(detail)) }
            else if e.action == "health_status" { w.field("status", detail) }
            else { w.field("detail", detail) }
        }
        if let project = e.project { w.field("project", project) }
        if let service = e.service { w.field("service", service) }
        w.endObject()
        return w.text
    }

    static func row(_ e: StoredEvent) -> [String] {
        var detail = e.detail.map { e.action.hasPrefix("exec_") ? SecretMask.command($0) : $0 } ?? ""
        for key in ["exitCode", "signal", "oldName", "changes"] {
            if let value = e.attributes[key] { detail += (detail.isEmpty ? "" : " ") + "\(key)=\(value)" }
        }
        return [
            RFC3339.format(Timestamp(nanoseconds: e.timeNano)),
            e.type, e.action, e.name ?? "", String(e.actorID.replacingPrefix("sha256:").prefix(12)), detail, e.source.name,
        ]
    }
}

extension String {
    func replacingPrefix(_ prefix: String) -> Substring {
        hasPrefix(prefix) ? dropFirst(prefix.count) : Substring(self)
    }
}
