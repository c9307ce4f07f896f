import ArgumentParser
import AuditStore
import AuditSupport
import Deployments
import Fleet
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Record deployments from a CI job log (GitHub Actions, GitLab, Jenkins, or a plain shell log).",
        discussion: "Finds each deployment command (docker compose up/down/restart, docker-compose, docker stack deploy, docker service update, docker run/rm) and its output, and records the job as one deployment: its window from the first deployment command to the end of the last, each command a step with its own window (until the next step or section began) and the containers it changed. Read-only commands (docker compose ps, logs, config) are not steps. Importing the same log twice changes nothing. With --db postgresql://…, the record goes to the fleet's PostgreSQL, as if posted to audit serve: for every host, or the one --host names."
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
        let record: DeploymentRecord
        do {
            record = try CILogImporter.import(format: format, text: String(decoding: data, as: UTF8.self),
                                              defaults: .init(project: project, environment: env, host: host, commit: commit))
        } catch {
            Terminal.error("audit import: \(file): \(error)")
            throw CheckExit.usage
        }
        let outcome: DeploymentRepository.Outcome
        if let url = try store.fleetURL() {
            do {
                outcome = try await FleetDeploymentRepository.store(record, at: url, logger: store.makeLogger(label: "audit.import"))
            } catch {
                Terminal.error("audit import: \(error)")
                throw ExitCode.failure
            }
        } else {
            outcome = try DeploymentRepository(path: try store.resolvedPath()).store(record, deliveryID: nil)
        }
        switch outcome {
        case .stored(let stored, let isNew):
            Terminal.out("\(isNew ? "recorded" : "already recorded") \(stored.id): \(stored.status.rawValue) \(RFC3339.format(stored.startedAt)) → \(stored.finishedAt.map { RFC3339.format($0) } ?? "?") \(stored.project ?? "*"), \(stored.steps?.count ?? 0) step(s), touched \(stored.touched?.joined(separator: ",") ?? "-")")
            for step in stored.steps ?? [] {
                Terminal.out("  \(RFC3339.format(step.startedAt)) → \(step.finishedAt.map { RFC3339.format($0) } ?? "?")  \(step.command)")
            }
        case .duplicateDelivery:
            Terminal.out("already recorded \(record.id)")
        case .sourceConflict(let existing):
            Terminal.error("audit import: deployment \(record.id) already recorded from \(existing.rawValue); not overwritten")
        case .recordConflict(let conflict):
            Terminal.error("audit import: \(conflict); not overwritten")
        case .deliveryConflict:
            // Imports carry no delivery id: cannot happen.
            Terminal.out("already recorded \(record.id)")
        }
    }
}

extension CILogImporter.Format: ExpressibleByArgument {}
