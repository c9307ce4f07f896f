import ArgumentParser
import AuditStore
import AuditSupport
import Collector
import Deployments
import DockerAPI
import Fleet
import Logging
import Notify
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
            With --notify, each status change of an out-of-band finding (opened, acknowledged, stale, reconciled, \
            gone) is written to the store's outbox and sent to the sinks until they take it.
            With --forward, every stored event is also forwarded to a fleet PostgreSQL, from the store as \
            outbox: collecting goes on while PostgreSQL is away, and forwarding catches up.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var docker: DockerOptions

    @OptionGroup var listener: WebhookOptions

    @Option(help: ArgumentHelp("Check drift against this compose file on a schedule and after every deployment; repeat to layer overrides.", valueName: "file"))
    var composeFile: [String] = []

    @Option(help: ArgumentHelp("How often the drift check runs (with --compose-file; default 5m).", valueName: "duration"))
    var driftInterval: String?

    @Option(name: [.customShort("p"), .customLong("project-name")], help: ArgumentHelp("The compose project name for the drift check (default as compose: name:, COMPOSE_PROJECT_NAME, directory).", valueName: "name"))
    var projectName: String?

    @Option(help: ArgumentHelp("An env file for the drift check's interpolation.", valueName: "file"))
    var envFile: String?

    @Option(help: ArgumentHelp("Send each status change of an out-of-band finding to KIND=URL: webhook=URL (JSON signed with Standard Webhooks), slack=URL (incoming webhook), alertmanager=URL (Alertmanager's base URL); repeat for several sinks.", valueName: "kind=url"))
    var notify: [String] = []

    @Option(help: ArgumentHelp("Only notify findings at or above this severity: low, medium, high, critical (default high).", valueName: "level"))
    var notifyMinSeverity: String?

    @Option(help: ArgumentHelp("File holding the secret webhook sinks are signed with (or AUDIT_NOTIFY_SECRET).", valueName: "path"))
    var notifySecretFile: String?

    @Option(help: ArgumentHelp("Keep events, snapshots, deployments and findings this long (default \(RetentionPolicy.defaultRetention); 0 keeps everything).", valueName: "period"))
    var retention: String?

    @Option(help: ArgumentHelp("Keep health-probe events this long; their hourly counts stay (default \(RetentionPolicy.defaultProbeRetention); 0: as long as --retention).", valueName: "period"))
    var probeRetention: String?

    @Option(help: ArgumentHelp("How often retention prunes the store (default 1h; the first pass runs 10 minutes after start, or after one interval if shorter).", valueName: "duration"))
    var pruneInterval: String?

    @Option(help: ArgumentHelp("Forward stored events to the fleet's PostgreSQL: postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=disable|prefer|require] (env AUDIT_FORWARD; the password also from PGPASSWORD or ~/.pgpass).", valueName: "url"))
    var forward: String?

    @Option(help: ArgumentHelp("This host's name in the fleet and in deployment records (default the machine's hostname): the alerts and this store's `audit report` judge records' host field by it; its id is made once and kept in the store.", valueName: "name"))
    var hostName: String?

    @Option(help: ArgumentHelp("The configuration file: `audit collect`'s long options as `key: value` lines (env AUDIT_CONFIG; default \(ConfigFile.defaultPath) when it exists). Environment variables and flags override it.", valueName: "path"))
    var config: String?

    /// The options given on the command line, by their long name, for `CollectSettings`.
    private var givenFlags: [String: ConfigFile.Value] {
        var flags = listener.givenFlags
        func text(_ key: String, _ value: String?) { if let value { flags[key] = .text(value) } }
        text("docker-host", docker.dockerHost)
        text("db", store.db)
        text("log-level", store.logLevel)
        text("drift-interval", driftInterval)
        text("project-name", projectName)
        text("env-file", envFile)
        text("retention", retention)
        text("probe-retention", probeRetention)
        text("prune-interval", pruneInterval)
        text("notify-min-severity", notifyMinSeverity)
        text("notify-secret-file", notifySecretFile)
        text("forward", forward)
        text("host-name", hostName)
        if !notify.isEmpty { flags["notify"] = .list(notify) }
        if !composeFile.isEmpty { flags["compose-file"] = .list(composeFile) }
        return flags
    }

    /// Flags over environment over the configuration file over defaults; a file that cannot be used
    /// as written is a usage error naming its line and key.
    func settings() throws -> CollectSettings {
        do {
            return try CollectSettings.load(configFlag: config, flags: givenFlags, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func validate() throws {
        let settings = try settings()
        try Self.validate(settings)
    }

    /// What `audit collect` refuses to start with, also run by `audit config check`.
    static func validate(_ settings: CollectSettings) throws {
        if let level = settings.text("log-level"), Logger.Level(rawValue: level) == nil {
            throw ValidationError("unknown log level \"\(level)\" (\(settings.resolved["log-level"]?.source ?? "")); use trace, debug, info, notice, warning, error or critical")
        }
        _ = try WebhookOptions.configuration(settings)
        _ = try notifierConfiguration(settings)
        _ = try forwarderConfiguration(settings)
        _ = try settings.retentionPolicy()
        _ = try settings.pruneInterval()
        let interval = settings.text("drift-interval") ?? "5m"
        guard let ns = TimeArgument.parseDuration(interval), ns >= 1_000_000_000 else {
            throw ValidationError(settings.problem("drift-interval", "\"\(interval)\" is not a duration of at least 1s (30s, 5m, 1h)"))
        }
    }

    /// nil without --notify / `notify:`.
    static func notifierConfiguration(_ settings: CollectSettings) throws -> NotifierService.Configuration? {
        let level = settings.text("notify-min-severity") ?? "high"
        guard let minimum = Severity(rawValue: level) else {
            throw ValidationError(settings.problem("notify-min-severity", "\"\(level)\" is not a severity (low, medium, high, critical)"))
        }
        let given = settings.list("notify")
        guard !given.isEmpty else { return nil }
        do {
            let sinks = try given.map { text throws(NotifyConfigurationError) in try SinkConfiguration.parse(text) }
            let secret = try settings.secret(file: "notify-secret-file", variable: "AUDIT_NOTIFY_SECRET", environment: ProcessInfo.processInfo.environment)
            let configuration = NotifierService.Configuration(
                sinks: sinks, secret: secret.map { String(decoding: $0, as: UTF8.self) }, minimumSeverity: minimum,
                // The name deployment records use for this host: the fleet's (--host-name) when given.
                host: settings.text("host-name") ?? ReportCommand.hostname())
            try configuration.validate()
            return configuration
        } catch let error as NotifyConfigurationError {
            throw ValidationError(settings.problem("notify", error.description))
        }
    }

    /// nil without --forward / AUDIT_FORWARD / `forward:`.
    static func forwarderConfiguration(_ settings: CollectSettings) throws -> ForwarderService.Configuration? {
        guard let text = settings.text("forward"), !text.isEmpty else { return nil }
        do {
            let url = try FleetURL.parse(text, environment: ProcessInfo.processInfo.environment)
            return ForwarderService.Configuration(url: url, hostName: settings.text("host-name") ?? ReportCommand.hostname())
        } catch {
            throw ValidationError(settings.problem("forward", error.message))
        }
    }

    func run() async throws {
        let settings = try settings()
        let logger = store.makeLogger(label: "audit.collect", level: settings.text("log-level"))
        let path = try settings.text("db") ?? store.resolvedPath()
        let host = try DockerOptions(dockerHost: settings.text("docker-host")).resolve()
        if let file = settings.file { logger.info("configuration read", metadata: ["config.path": "\(file.path)", "config.settings": "\(file.entries.count)"]) }
        logger.info("audit collect starting", metadata: ["store.path": "\(path)", "docker.host": "\(host)"])
        let collector = try CollectorService(client: DockerClient(host: host), storePath: path, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: collector),
            .init(service: ResidentPagesTrimmer(status: collector.status, logger: logger)),
        ]
        let notifier = try Self.notifierConfiguration(settings).map { NotifierService(configuration: $0, storePath: path, logger: logger) }
        let forwarder = try Self.forwarderConfiguration(settings).map { ForwarderService(configuration: $0, storePath: path, logger: logger) }
        if let webhook = try WebhookOptions.configuration(settings) {
            let app = buildWebhookApplication(
                configuration: webhook,
                sink: StoreDeploymentSink(repository: try DeploymentRepository(path: path), bounds: webhook.recordBounds),
                health: CollectorHealthBridge(status: collector.status, statistics: collector.statistics,
                                              notifier: notifier.map { ($0.status, $0.configuration.sinks) }, forwarder: forwarder?.status),
                logger: logger, now: { Timestamp.now().nanoseconds })
            services.append(.init(service: app))
            logger.info("webhook listening", metadata: WebhookOptions.logMetadata(webhook))
        }
        let composeFiles = settings.list("compose-file")
        if !composeFiles.isEmpty {
            let interval = Duration.nanoseconds(TimeArgument.parseDuration(settings.text("drift-interval") ?? "5m") ?? 300_000_000_000)
            services.append(.init(service: DriftMonitor(
                configuration: .init(composeFiles: composeFiles, projectName: settings.text("project-name"), envFile: settings.text("env-file"),
                                     environment: ProcessInfo.processInfo.environment, interval: interval),
                client: DockerClient(host: host), storePath: path, logger: logger)))
        }
        if let notify = notifier {
            services.append(.init(service: notify))
        }
        if let forwarder {
            services.append(.init(service: forwarder))
        }
        let pruneInterval = try settings.pruneInterval()
        services.append(.init(service: RetentionService(collector: collector, policy: try settings.retentionPolicy(), interval: pruneInterval,
                                                        firstDelay: min(pruneInterval, .seconds(600)), logger: logger)))
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
