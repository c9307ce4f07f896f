import ArgumentParser
import AuditStore
import AuditSupport
import Deployments

struct DeploymentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployments",
        abstract: "List the deployment records the pipeline sent (webhooks, audit deploy, audit import).",
        discussion: "JSON output is an array of records with the keys id, source, environment, host, project, services, images, commit, ref, actor, url, status, started_at, finished_at (and touched, note, commands, steps when known), and received_at, when the store first received the record."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var window: TimeWindowOptions

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    func validate() throws { try store.validateLogLevel() }

    func run() async throws {
        let (since, until) = try window.resolve()
        let records = try StoreReader(path: try store.resolvedPath()).deployments(fromNs: since.nanoseconds, toNs: until.nanoseconds)
        var out = Terminal.Buffered()
        switch format {
        case .json:
            out.line("[" + records.map { $0.wireJSON() }.joined(separator: ",") + "]")
        case .table:
            guard !records.isEmpty else {
                Terminal.error("no deployments recorded between \(RFC3339.format(since)) and \(RFC3339.format(until))")
                return
            }
            let rows = records.map { r in
                [RFC3339.format(r.startedAt), r.finishedAt.map { RFC3339.format($0) } ?? "(running)", r.status.rawValue, r.source.rawValue,
                 r.project ?? "*", r.services?.joined(separator: ",") ?? "*", r.environment ?? "", r.actor ?? "", r.commit.map { String($0.prefix(12)) } ?? "", r.id]
            }
            for line in Table.render(header: ["STARTED", "FINISHED", "STATUS", "SOURCE", "PROJECT", "SERVICES", "ENV", "ACTOR", "COMMIT", "ID"], rows: rows) {
                out.line(line)
            }
        }
    }
}
