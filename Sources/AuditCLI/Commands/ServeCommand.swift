import ArgumentParser
import AuditSupport
import Fleet
import Logging
import ServiceLifecycle
import UnixSignals
import Webhook
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive CI deployment webhooks for the whole fleet into its PostgreSQL, without a Docker engine.",
        discussion: """
            audit serve --db postgresql://audit@fleet-db/audit --listen 0.0.0.0:8780 --webhook-secret-file /etc/audit/webhook.secret
            Serves POST /v1/deployments, /v1/webhooks/github, /v1/webhooks/gitlab, GET /healthz and GET /metrics \
            with the signatures, limits and answers of `audit collect --listen`, and stores each record in the \
            fleet's PostgreSQL for every host (a record's host field names the one it applies to). /healthz \
            answers 200 while PostgreSQL answers. While PostgreSQL is away, posts are answered 503 with \
            Retry-After and nothing is stored; it is reconnected to within seconds of its return. The \
            configuration file is not read: it is a host's collector's. Runs until SIGTERM or SIGINT.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var listener: WebhookOptions

    /// Flags over the environment over defaults: the webhook's settings as `audit collect` resolves them.
    private func settings() -> CollectSettings {
        CollectSettings(flags: listener.givenFlags, environment: ProcessInfo.processInfo.environment, file: nil)
    }

    private func fleetURL() throws -> FleetURL {
        guard let url = try store.fleetURL() else {
            throw ValidationError("audit serve stores into the fleet's PostgreSQL: give --db postgresql://USER@HOST[:PORT]/DB (or AUDIT_DB)")
        }
        return url
    }

    private func webhookConfiguration() throws -> WebhookConfiguration {
        guard let configuration = try WebhookOptions.configuration(settings()) else {
            throw ValidationError("audit serve needs --listen HOST:PORT (or AUDIT_LISTEN), e.g. --listen 0.0.0.0:8780")
        }
        return configuration
    }

    func validate() throws {
        try store.validateLogLevel()
        _ = try fleetURL()
        _ = try webhookConfiguration()
    }

    func run() async throws {
        let logger = store.makeLogger(label: "audit.serve")
        let url = try fleetURL()
        let webhook = try webhookConfiguration()
        let repository = FleetDeploymentRepository(url: url, bounds: webhook.recordBounds, logger: logger)
        do {
            try await repository.connectFirst()
        } catch {
            Terminal.error("audit serve: \(error)")
            throw ExitCode.failure
        }
        let app = buildWebhookApplication(configuration: webhook, sink: repository, storeHealth: repository, logger: logger,
                                          now: { Timestamp.now().nanoseconds })
        logger.info("webhook listening", metadata: WebhookOptions.logMetadata(webhook).merging(["fleet.url": "\(url)"]) { $1 })
        // Shutdown runs in reverse order: the listener first (its requests bounded by their deadline),
        // then the connection its last posts were stored through.
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: repository), .init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(8)
        configuration.maximumCancellationDuration = .seconds(4)
        try await ServiceGroup(configuration: configuration).run()
    }
}
