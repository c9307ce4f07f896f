import AuditStore
import AuditSupport
import Findings
import Logging
import Matcher
import ServiceLifecycle

/// `audit collect --notify …`: evaluates the findings every second with the report's engine, writes
/// each status change to the outbox before anything is sent, and runs a sender per sink.
///
/// The evaluation reads the last hour, reaching further back as `EvaluationWindow` says (at most 7
/// days), so a finding's end is announced however late it comes, and what a long stop hid is still news.
public struct NotifierService: Service, CustomStringConvertible {
    public struct Configuration: Sendable, CustomStringConvertible {
        public var sinks: [SinkConfiguration]
        /// Signs the webhook sinks' bodies.
        public var secret: String?
        public var minimumSeverity: Severity
        /// This Docker host's name in deployment records and notifications.
        public var host: String
        public var interval: Duration

        public init(sinks: [SinkConfiguration], secret: String?, minimumSeverity: Severity = .high, host: String, interval: Duration = .seconds(1)) {
            self.sinks = sinks
            self.secret = secret
            self.minimumSeverity = minimumSeverity
            self.host = host
            self.interval = interval
        }

        /// Without the secret or the sinks' URLs.
        public var description: String {
            "sinks: \(sinks.map(\.description).joined(separator: ", ")), min_severity: \(minimumSeverity.rawValue), host: \(host)"
        }

        /// What the notifier refuses to start with.
        public func validate() throws(NotifyConfigurationError) {
            if sinks.contains(where: { $0.kind == .webhook }), (secret ?? "").isEmpty {
                throw NotifyConfigurationError("a webhook sink signs its notifications: give --notify-secret-file (or AUDIT_NOTIFY_SECRET)")
            }
            var seen = Set<String>()
            for sink in sinks where !seen.insert(sink.name).inserted {
                throw NotifyConfigurationError("\(sink.kind.rawValue) sink \(sink.origin) is given twice")
            }
        }
    }

    public let configuration: Configuration
    let storePath: String
    let logger: Logger
    public let status: NotifierStatus

    public init(configuration: Configuration, storePath: String, logger: Logger) {
        self.configuration = configuration
        self.storePath = storePath
        self.logger = logger
        status = NotifierStatus(sinks: configuration.sinks.map(\.name))
    }

    /// What ServiceLifecycle logs when it starts the service (it describes each service at debug level):
    /// the sinks by name. The derived description would print the sink URLs and the signing secret.
    public var description: String {
        "NotifierService(\(configuration))"
    }

    public func run() async throws {
        let storePath = self.storePath
        let outbox = try await OwnThread.run("notify-open") { () throws(SQLiteError) in try NotificationOutbox(path: storePath) }
        let baseline = try await OwnThread.run("notify-open") { () throws(SQLiteError) in try outbox.baseline(nowNs: Timestamp.now().nanoseconds) }
        let senders = configuration.sinks.map { sink in
            (NotificationSender(sink: NotificationSinks.make(sink, secret: configuration.secret), outbox: outbox, logger: logger),
             AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1)))
        }
        logger.info("notifier started", metadata: [
            "notify.sinks": "\(configuration.sinks.map { "\($0.kind.rawValue)=\($0.origin) (\($0.name))" }.joined(separator: ", "))",
            "notify.min_severity": "\(configuration.minimumSeverity.rawValue)",
        ])
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for (sender, wakes) in senders {
                    group.addTask { await sender.run(wakes: wakes.stream) }
                }
                group.addTask {
                    // The first pass sends what a previous run left pending.
                    for (_, wakes) in senders { wakes.continuation.yield() }
                    var lastError: String?
                    while !Task.isCancelled {
                        let started = ContinuousClock.now
                        let error = await self.evaluate(outbox, baselineNs: baseline)
                        let took = ContinuousClock.now - started
                        status.recordEvaluation(seconds: Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18)
                        // Logged when it changes, not every second: a store that stays unreadable says so once.
                        if let error, error != lastError {
                            logger.error("findings evaluation for notifications failed; retrying every second", metadata: ["notify.error": "\(error)"])
                        } else if error == nil, lastError != nil {
                            logger.info("findings evaluation for notifications works again")
                        }
                        lastError = error
                        for (_, wakes) in senders { wakes.continuation.yield() }
                        // At least as long as the evaluation took: on a window crowded with findings (the
                        // bench's 40,000 in an hour) the notifier takes half a core at most, never a whole one.
                        try? await Task.sleep(for: max(configuration.interval, took))
                    }
                    for (_, wakes) in senders { wakes.continuation.finish() }
                }
            }
        }
    }

    /// One evaluation: findings of the window through the report's engine, status changes into the
    /// outbox. Returns what went wrong, if anything.
    private func evaluate(_ outbox: NotificationOutbox, baselineNs: Int64) async -> String? {
        let (configuration, storePath, status) = (self.configuration, self.storePath, self.status)
        let sinks = configuration.sinks.map(\.name)
        do {
            // SQLite and the matcher are synchronous: off the cooperative pool.
            let added = try await OwnThread.run("notify-evaluate") { () throws -> Int in
                let nowNs = Timestamp.now().nanoseconds
                let reader = try StoreReader(path: storePath)
                let fromNs = EvaluationWindow.fromNs(
                    nowNs: nowNs, oldestUnresolvedNs: try outbox.oldestUnresolvedNs(floorNs: nowNs - EvaluationWindow.maxLookbackNs),
                    recentGapStartNs: try reader.gaps(fromNs: nowNs - EvaluationWindow.lookbackNs, toNs: nowNs).map(\.fromNs).min())
                let queued = try outbox.queuedStatuses(sinceNs: fromNs)
                let unresolved = try outbox.unresolved(sinceNs: fromNs).compactMapValues { try? NotificationPayload.decode($0.body) }
                let model = try FindingsEngine.evaluate(reader, FindingsQuery(fromNs: fromNs, toNs: nowNs, nowNs: nowNs, host: configuration.host))
                let changes = NotificationPlanner.changes(
                    findings: model.findings, queued: queued, unresolved: unresolved, baselineNs: baselineNs, deployments: model.deployments,
                    host: configuration.host, nowNs: nowNs, minimumSeverity: configuration.minimumSeverity)
                let entries = try changes.map { payload in
                    OutboxEntry(findingID: payload.finding.id, status: payload.key, timeNs: payload.finding.timeNano, body: try payload.encoded())
                }
                let added = try outbox.enqueue(entries, sinks: sinks, nowNs: nowNs)
                var open: [Severity: [FindingKind: Int]] = [:]
                for f in model.findings where f.status == .open || f.status == .stale { open[f.severity, default: [:]][f.kind, default: 0] += 1 }
                status.update(openFindings: open, deliveries: try outbox.counts())
                return added
            }
            if added > 0 { logger.debug("notifications queued", metadata: ["notify.queued": "\(added)"]) }
            return nil
        } catch {
            return "\(error)"
        }
    }
}
