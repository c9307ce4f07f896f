import AuditStore
import AuditSupport
import DockerAPI
import Drift
import Logging
import ServiceLifecycle

/// `audit collect --compose-file …`: runs the drift check on a schedule and right after every
/// deployment record finishes, storing each difference as a finding until a later check finds the
/// field back in line. The manifest is read again on every check, so a merged fix counts at once.
public struct DriftMonitor: Service {
    public struct Configuration: Sendable {
        public var composeFiles: [String]
        public var projectName: String?
        public var envFile: String?
        public var environment: [String: String]
        public var interval: Duration

        public init(composeFiles: [String], projectName: String?, envFile: String?, environment: [String: String], interval: Duration) {
            self.composeFiles = composeFiles
            self.projectName = projectName
            self.envFile = envFile
            self.environment = environment
            self.interval = interval
        }
    }

    let configuration: Configuration
    let client: DockerClient
    let storePath: String
    let logger: Logger

    public init(configuration: Configuration, client: DockerClient, storePath: String, logger: Logger) {
        self.configuration = configuration
        self.client = client
        self.storePath = storePath
        self.logger = logger
    }

    public func run() async throws {
        // A check in progress (a hung inspect) is cancelled too: SIGTERM does not wait for it.
        try await cancelWhenGracefulShutdown { try await self.checkOnSchedule() }
    }

    private func checkOnSchedule() async throws {
        let repository = try DriftFindingRepository(path: storePath)
        var nextCheck = ContinuousClock.now
        var lastDeploymentSeen: Int64?
        // A short tick notices finished deployments quickly; the schedule decides the rest.
        for await _ in AsyncTimerTicks(every: .seconds(2)).cancelOnGracefulShutdown() {
            // SQLite blocks: off the cooperative pool.
            let finished = await OwnThread.run("drift-poll") { [storePath] in (try? StoreReader(path: storePath).latestDeploymentFinish()) ?? nil }
            let deploymentFinished = finished != nil && finished != lastDeploymentSeen
            guard ContinuousClock.now >= nextCheck || deploymentFinished else { continue }
            lastDeploymentSeen = finished
            nextCheck = ContinuousClock.now + configuration.interval
            await check(repository)
        }
    }

    private func check(_ repository: DriftFindingRepository) async {
        do {
            let project = try ComposeLoader.load(files: configuration.composeFiles, projectName: configuration.projectName,
                                                 envFile: configuration.envFile, environment: configuration.environment)
            var client = self.client
            try await client.negotiate()
            let observed = try await DriftProbe(client: client).observe(project: project.name, expectedImages: project.services.values.compactMap(\.image))
            let items = DriftChecker.compare(expected: project, actual: observed.containers, images: observed.images)
            let observations = items.map { item in
                DriftObservation(service: item.service, containerID: item.container?.id, containerName: item.container?.name, field: item.field,
                                 kind: item.kind == .missing ? .configDrift : item.kind, severity: item.severity,
                                 expected: item.expected, actual: item.actual)
            }
            let (opened, closed) = try await OwnThread.run("drift-record") { () throws(SQLiteError) in
                try repository.record(project: project.name, observations: observations, checkedNs: Timestamp.now().nanoseconds)
            }
            logger.info("drift check", metadata: [
                "drift.project": "\(project.name)", "drift.items": "\(items.count)", "drift.opened": "\(opened)", "drift.closed": "\(closed)",
            ])
        } catch {
            logger.warning("drift check failed; next attempt on schedule", metadata: ["drift.error": "\(error)"])
        }
    }
}

/// Ticks at a fixed period until cancelled.
struct AsyncTimerTicks: AsyncSequence, Sendable {
    let every: Duration

    struct AsyncIterator: AsyncIteratorProtocol {
        let every: Duration
        mutating func next() async -> Void? {
            do {
                try await Task.sleep(for: every)
                return ()
            } catch {
                return nil
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(every: every) }
}
