import ArgumentParser
import AuditStore
import Collector
import DockerAPI
import ServiceLifecycle
import UnixSignals

struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Stream Docker events into the store until SIGTERM or SIGINT.",
        discussion: """
            Resumes from the last stored event, reconnects with backoff when the engine goes away, records \
            every connected interval and every gap, and reconciles after each gap (list + inspect) so changes \
            made while nobody watched are stored as observed-by-reconciliation events. Only GET requests are \
            ever sent to Docker.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var docker: DockerOptions

    func validate() throws { try store.validateLogLevel() }

    func run() async throws {
        let logger = store.makeLogger(label: "audit.collect")
        let path = try store.resolvedPath()
        let host = try docker.resolve()
        logger.info("audit collect starting", metadata: ["store.path": "\(path)", "docker.host": "\(host)"])
        let writer = try EventWriter(path: path, logger: logger)
        let service = CollectorService(client: DockerClient(host: host), writer: writer, storePath: path, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await group.run()
    }
}
