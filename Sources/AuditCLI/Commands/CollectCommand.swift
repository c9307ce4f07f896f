import ArgumentParser
import AuditStore
import AuditSupport
import Collector
import DockerAPI
import ServiceLifecycle
import UnixSignals
import Webhook
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Stream Docker events into the store until SIGTERM or SIGINT; optionally receive CI deployment webhooks.",
        discussion: """
            Resumes from the last stored event, reconnects with backoff when the engine goes away, records \
            every connected interval and every gap, and reconciles after each gap (list + inspect) so changes \
            made while nobody watched are stored as observed-by-reconciliation events. Only GET requests are \
            ever sent to Docker.
            With --listen, the same process serves POST /v1/deployments, /v1/webhooks/github, \
            /v1/webhooks/gitlab, GET /healthz and GET /metrics; shutdown stops both.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var docker: DockerOptions

    @Option(help: ArgumentHelp("Serve the webhook on HOST:PORT (a bare port means 127.0.0.1; env AUDIT_LISTEN). Without it no port is opened.", valueName: "address"))
    var listen: String?

    @Option(help: ArgumentHelp("File holding the webhook's shared secret (or AUDIT_WEBHOOK_SECRET).", valueName: "path"))
    var webhookSecretFile: String?

    @Flag(help: "Accept unsigned webhooks; only allowed on a loopback address.")
    var insecureNoAuth = false

    @Option(help: ArgumentHelp("Check drift against this compose file on a schedule and after every deployment; repeat to layer overrides.", valueName: "file"))
    var composeFile: [String] = []

    @Option(help: ArgumentHelp("How often the drift check runs (with --compose-file).", valueName: "duration"))
    var driftInterval: String = "5m"

    @Option(name: [.customShort("p"), .customLong("project-name")], help: ArgumentHelp("The compose project name for the drift check (default as compose: name:, COMPOSE_PROJECT_NAME, directory).", valueName: "name"))
    var projectName: String?

    @Option(help: ArgumentHelp("An env file for the drift check's interpolation.", valueName: "file"))
    var envFile: String?

    func validate() throws {
        try store.validateLogLevel()
        _ = try webhookConfiguration()
        guard let interval = TimeArgument.parseDuration(driftInterval), interval >= 1_000_000_000 else {
            throw ValidationError("--drift-interval \"\(driftInterval)\" is not a duration of at least 1s (30s, 5m, 1h)")
        }
    }

    /// nil without --listen / AUDIT_LISTEN.
    private func webhookConfiguration() throws -> WebhookConfiguration? {
        let environment = ProcessInfo.processInfo.environment
        guard let address = listen ?? environment["AUDIT_LISTEN"].flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        var secret: [UInt8]?
        if let webhookSecretFile {
            guard let data = FileManager.default.contents(atPath: webhookSecretFile) else {
                throw ValidationError("cannot read --webhook-secret-file \(webhookSecretFile)")
            }
            secret = Array(String(decoding: data, as: UTF8.self).trimmingSpaces().trimmingNewlines().utf8)
        } else if let fromEnv = environment["AUDIT_WEBHOOK_SECRET"], !fromEnv.isEmpty {
            secret = Array(fromEnv.utf8)
        }
        do {
            let (host, port) = try WebhookConfiguration.parseListen(address)
            let configuration = WebhookConfiguration(host: host, port: port, secret: secret, insecureNoAuth: insecureNoAuth)
            try configuration.validate()
            return configuration
        } catch {
            throw ValidationError("\(error)" + (secret == nil && !insecureNoAuth ? " (or --insecure-no-auth on a loopback address)" : ""))
        }
    }

    func run() async throws {
        let logger = store.makeLogger(label: "audit.collect")
        let path = try store.resolvedPath()
        let host = try docker.resolve()
        logger.info("audit collect starting", metadata: ["store.path": "\(path)", "docker.host": "\(host)"])
        let writer = try EventWriter(path: path, logger: logger)
        let collector = CollectorService(client: DockerClient(host: host), writer: writer, storePath: path, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: collector),
            .init(service: ResidentPagesTrimmer(status: collector.status, logger: logger)),
        ]
        if let webhook = try webhookConfiguration() {
            let app = buildWebhookApplication(
                configuration: webhook,
                sink: StoreDeploymentSink(repository: try DeploymentRepository(path: path)),
                health: CollectorHealthBridge(status: collector.status, statistics: writer.statistics),
                logger: logger, now: { Timestamp.now().nanoseconds })
            services.append(.init(service: app))
            logger.info("webhook listening", metadata: ["webhook.address": "\(webhook.host):\(webhook.port)", "webhook.auth": "\(webhook.secret == nil ? "none (loopback only)" : "shared secret")"])
        }
        if !composeFile.isEmpty {
            let interval = Duration.nanoseconds(TimeArgument.parseDuration(driftInterval)!)
            services.append(.init(service: DriftMonitor(
                configuration: .init(composeFiles: composeFile, projectName: projectName, envFile: envFile,
                                     environment: ProcessInfo.processInfo.environment, interval: interval),
                client: DockerClient(host: host), storePath: path, logger: logger)))
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
