import ArgumentParser
import AuditStore
import AuditSupport
import Deployments
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Record deployments from a CI job log (GitHub Actions, GitLab, Jenkins, or a plain shell log).",
        discussion: "Finds each deployment command (docker compose up/down/restart, docker-compose, docker stack deploy, docker service update, docker run/rm) and its output, and records one deployment per command with its time window and the containers it touched. Importing the same log twice changes nothing."
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "github-actions, gitlab, jenkins or plain.")
    var format: CILogImporter.Format

    @Argument(help: ArgumentHelp("The job log.", valueName: "file"))
    var file: String

    @Option(help: "Compose project, when the commands do not say (-p).") var project: String?
    @Option(help: "Environment name.") var env: String?
    @Option(help: "The Docker host deployed to (default: any host).") var host: String?
    @Option(help: "The commit deployed.") var commit: String?

    func validate() throws { try store.validateLogLevel() }

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ValidationError("cannot read \(file)")
        }
        let records: [DeploymentRecord]
        do {
            records = try CILogImporter.import(format: format, text: String(decoding: data, as: UTF8.self),
                                               defaults: .init(project: project, environment: env, host: host, commit: commit))
        } catch {
            Terminal.error("audit import: \(file): \(error)")
            throw CheckExit.usage
        }
        let repository = try DeploymentRepository(path: try store.resolvedPath())
        var created = 0, unchanged = 0
        for record in records {
            switch try repository.store(record, deliveryID: nil) {
            case .stored(let stored, let isNew):
                if isNew { created += 1 } else { unchanged += 1 }
                Terminal.out("\(isNew ? "recorded" : "already recorded") \(stored.id): \(stored.status.rawValue) \(RFC3339.format(stored.startedAt)) → \(stored.finishedAt.map { RFC3339.format($0) } ?? "?") \(stored.project ?? "*") touched \(stored.touched?.joined(separator: ",") ?? "-")")
            case .duplicateDelivery:
                unchanged += 1
            case .sourceConflict(let existing):
                Terminal.error("audit import: deployment \(record.id) already recorded from \(existing.rawValue); not overwritten")
            case .recordConflict(let conflict):
                Terminal.error("audit import: \(conflict); not overwritten")
            case .deliveryConflict:
                // Imports carry no delivery id; nothing to report.
                unchanged += 1
            }
        }
        Terminal.error("import: \(records.count) deployment(s) in \(file): \(created) new, \(unchanged) already recorded")
    }
}

extension CILogImporter.Format: ExpressibleByArgument {}
