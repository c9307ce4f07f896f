import ArgumentParser
import AuditStore
import AuditSupport
import Collector
import Deployments
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

    @Option(help: ArgumentHelp("File holding the Standard Webhooks secret for /v1/deployments (or AUDIT_WEBHOOK_SECRET).", valueName: "path"))
    var webhookSecretFile: String?

    @Option(help: ArgumentHelp("File holding the secret GitHub signs /v1/webhooks/github with (or AUDIT_GITHUB_SECRET).", valueName: "path"))
    var githubSecretFile: String?

    @Option(help: ArgumentHelp("File holding the token GitLab sends to /v1/webhooks/gitlab (or AUDIT_GITLAB_TOKEN).", valueName: "path"))
    var gitlabTokenFile: String?

    @Flag(help: "Accept unsigned webhooks; only allowed on a loopback address, with no secret set.")
    var insecureNoAuth = false

    @Flag(help: "Also accept the bare X-Audit-Signature-256 body HMAC on /v1/deployments (no timestamp: a captured request replays).")
    var acceptBareHmac = false

    @Option(help: ArgumentHelp("Open webhook connections at most; more are answered 503.", valueName: "count"))
    var maxConnections: Int = 128

    @Option(help: ArgumentHelp("The longest window one deployment record may cover.", valueName: "duration"))
    var maxDeploymentWindow: String = "6h"

    @Option(help: ArgumentHelp("How far past this host's clock a deployment's times may lie.", valueName: "duration"))
    var maxClockAhead: String = "5m"

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
        func secret(file: String?, option: String, variable: String) throws -> [UInt8]? {
            if let file {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw ValidationError("cannot read \(option) \(file): check the path and that this user may read it")
                }
                return Array(String(decoding: data, as: UTF8.self).trimmingSpaces().trimmingNewlines().utf8)
            }
            guard let fromEnv = environment[variable], !fromEnv.isEmpty else { return nil }
            return Array(fromEnv.utf8)
        }
        let secrets = RouteSecrets(
            deployments: try secret(file: webhookSecretFile, option: "--webhook-secret-file", variable: "AUDIT_WEBHOOK_SECRET"),
            github: try secret(file: githubSecretFile, option: "--github-secret-file", variable: "AUDIT_GITHUB_SECRET"),
            gitlab: try secret(file: gitlabTokenFile, option: "--gitlab-token-file", variable: "AUDIT_GITLAB_TOKEN"))
        guard let window = TimeArgument.parseDuration(maxDeploymentWindow), window >= 60_000_000_000 else {
            throw ValidationError("--max-deployment-window \"\(maxDeploymentWindow)\" is not a duration of at least 1m (30m, 6h, 1d)")
        }
        guard let ahead = TimeArgument.parseDuration(maxClockAhead), ahead >= 0 else {
            throw ValidationError("--max-clock-ahead \"\(maxClockAhead)\" is not a duration (30s, 5m)")
        }
        do {
            let (host, port) = try WebhookConfiguration.parseListen(address)
            let configuration = WebhookConfiguration(
                host: host, port: port, secrets: secrets, insecureNoAuth: insecureNoAuth, acceptBareHMAC: acceptBareHmac,
                limits: WebhookLimits(maxConnections: FileDescriptors.connectionCap(requested: maxConnections)),
                recordBounds: DeploymentBounds(maxWindowNs: window, maxAheadNs: ahead))
            try configuration.validate()
            return configuration
        } catch {
            throw ValidationError("\(error)" + (secrets.isEmpty && !insecureNoAuth ? " (or --insecure-no-auth on a loopback address)" : ""))
        }
    }

    func run() async throws {
        let logger = store.makeLogger(label: "audit.collect")
        let path = try store.resolvedPath()
        let host = try docker.resolve()
        logger.info("audit collect starting", metadata: ["store.path": "\(path)", "docker.host": "\(host)"])
        let collector = try CollectorService(client: DockerClient(host: host), storePath: path, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: collector),
            .init(service: ResidentPagesTrimmer(status: collector.status, logger: logger)),
        ]
        if let webhook = try webhookConfiguration() {
            let app = buildWebhookApplication(
                configuration: webhook,
                sink: StoreDeploymentSink(repository: try DeploymentRepository(path: path), bounds: webhook.recordBounds),
                health: CollectorHealthBridge(status: collector.status, statistics: collector.statistics),
                logger: logger, now: { Timestamp.now().nanoseconds })
            services.append(.init(service: app))
            let routes = webhook.secrets.isEmpty ? "all, unauthenticated (loopback only)"
                : webhook.secrets.named.map(\.option).joined(separator: ",")
            logger.info("webhook listening", metadata: [
                "webhook.address": "\(webhook.host):\(webhook.port)", "webhook.secrets": "\(routes)",
                "webhook.max_connections": "\(webhook.limits.maxConnections)",
            ])
        }
        if !composeFile.isEmpty {
            let interval = Duration.nanoseconds(TimeArgument.parseDuration(driftInterval)!)
            services.append(.init(service: DriftMonitor(
                configuration: .init(composeFiles: composeFile, projectName: projectName, envFile: envFile,
                                     environment: ProcessInfo.processInfo.environment, interval: interval),
                client: DockerClient(host: host), storePath: path, logger: logger)))
        }
        var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Shutdown runs in reverse order: the listener (its requests bounded by their deadline), then
        // the collector, which flushes. Whatever still runs after the grace period is cancelled, and
        // a cancelled collector flushes too, so neither a stalled client nor a hung Docker call can
        // hold the process past SIGTERM.
        configuration.maximumGracefulShutdownDuration = .seconds(8)
        configuration.maximumCancellationDuration = .seconds(4)
        let group = ServiceGroup(configuration: configuration)
        try await group.run()
    }
}
