import ArgumentParser
import AuditStore
import AuditSupport
import Deployments
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Run a deployment command and record it: in_progress before, success or failure after.",
        discussion: """
            audit deploy --project shop --env production -- docker compose -f docker-compose.yml up -d
            The command's output passes through unchanged and its exit status becomes ours. Compose's \
            output (v1 `Recreating shop_api_1 ... done`, v2 ` Container shop-api-1  Recreated`) says which \
            containers it touched; they are recorded. Records go to the store (--db) or, from a CI runner on \
            another machine, to a collector (--collector http://host:8780 with the webhook secret).
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "Compose project.") var project: String?
    @Option(help: "Environment name, e.g. production.") var env: String?
    @Option(help: "Services deployed, comma separated (default: the whole project).") var services: String?
    @Option(help: "The Docker host deployed to (default: any host).") var host: String?
    @Option(help: "Commit deployed.") var commit: String?
    @Option(help: "Git ref deployed.") var ref: String?
    @Option(help: ArgumentHelp("The pipeline run's URL.", valueName: "run-url")) var url: String?
    @Option(help: "Who triggered it (default: $GITHUB_ACTOR, $GITLAB_USER_LOGIN, $USER).") var actor: String?
    @Option(help: "The deployment id (default: generated; reuse one to update a record).") var id: String?
    @Option(help: ArgumentHelp("Post to this collector instead of writing the store.", valueName: "url")) var collector: String?
    @Option(help: ArgumentHelp("The collector's shared secret (or AUDIT_WEBHOOK_SECRET).", valueName: "path")) var webhookSecretFile: String?

    @Argument(parsing: .postTerminator, help: "The deployment command, after --.")
    var command: [String] = []

    func validate() throws {
        try store.validateLogLevel()
        guard !command.isEmpty else { throw ValidationError("name the command to run after --, e.g. audit deploy --project shop -- docker compose up -d") }
        if collector != nil, (try? secret()) == nil {
            throw ValidationError("--collector needs the webhook secret: --webhook-secret-file PATH or AUDIT_WEBHOOK_SECRET")
        }
    }

    private func secret() throws -> String {
        if let webhookSecretFile {
            guard let data = FileManager.default.contents(atPath: webhookSecretFile) else { throw ValidationError("cannot read \(webhookSecretFile)") }
            return String(decoding: data, as: UTF8.self).trimmingSpaces().trimmingNewlines()
        }
        guard let fromEnv = ProcessInfo.processInfo.environment["AUDIT_WEBHOOK_SECRET"], !fromEnv.isEmpty else { throw ValidationError("no secret") }
        return fromEnv
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let started = Timestamp.now()
        let recognized = DeploymentCommand.recognize(arguments: command)
        var record = DeploymentRecord(
            id: id ?? DeploymentRecord.readableID(source: .cli, at: started), source: .cli, environment: env, host: host,
            project: project ?? recognized?.project, services: services.map { $0.split(separator: ",").map(String.init) } ?? recognized?.services,
            commit: commit, ref: ref, actor: actor ?? environment["GITHUB_ACTOR"] ?? environment["GITLAB_USER_LOGIN"] ?? environment["USER"],
            url: url, status: .inProgress, startedAt: started, commands: [DeploymentCommand.commandLine(command)])
        try await save(record)
        let result = try await TeeProcess.run(command)
        record.status = result.status == 0 ? .success : .failure
        record.finishedAt = .now()
        record.touched = ComposeOutputParser.changedContainers(result.output)
        try await save(record)
        if result.status != 0 { throw ExitCode(result.status) }
    }

    private func save(_ record: DeploymentRecord) async throws {
        if let collector {
            try await CollectorPost.send(record, to: collector, secret: try secret())
        } else {
            switch try DeploymentRepository(path: try store.resolvedPath()).store(record, deliveryID: nil) {
            case .stored, .duplicateDelivery, .deliveryConflict:
                break
            case .sourceConflict(let existing):
                throw CollectorPost.Failed(description: "deployment \(record.id) is already recorded from \(existing.rawValue): pass another --id")
            case .recordConflict(let conflict):
                throw CollectorPost.Failed(description: "\(conflict)")
            }
        }
    }
}

extension String {
    func trimmingNewlines() -> String {
        var s = Substring(self)
        while s.last == "\n" || s.last == "\r" { s.removeLast() }
        return String(s)
    }
}
