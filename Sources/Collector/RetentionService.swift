import AuditStore
import AuditSupport
import Findings
import Logging
import ServiceLifecycle

/// `audit collect --retention … --probe-retention …`: prunes the store on a schedule. Each pass is
/// planned on a read connection of its own and carried out by the collector's writer between event
/// batches (`EventWriter.prune`), so the stream is never held up and no second writer contends.
public struct RetentionService: Service {
    let collector: CollectorService
    let policy: RetentionPolicy
    let interval: Duration
    let firstDelay: Duration
    let logger: Logger

    /// The first pass runs `firstDelay` after start (a restart loop does not prune over and over), then
    /// one every `interval`.
    public init(collector: CollectorService, policy: RetentionPolicy, interval: Duration, firstDelay: Duration, logger: Logger) {
        self.collector = collector
        self.policy = policy
        self.interval = interval
        self.firstDelay = firstDelay
        self.logger = logger
    }

    public func run() async throws {
        guard !policy.keepsEverything else { return }
        await cancelWhenGracefulShutdown {
            try? await Task.sleep(for: firstDelay)
            while !Task.isCancelled {
                await pass()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Plans and prunes until the store is within the policy (a store far behind takes several plans).
    private func pass() async {
        let started = ContinuousClock.now
        let total: PruneProgress
        do {
            total = try await Self.prune(writer: collector.writer, storePath: collector.storePath, policy: policy, logger: logger) { Timestamp.now().nanoseconds }
        } catch {
            logger.error("retention: cannot plan a prune; retrying at the next pass", metadata: ["store.error": "\(error)"])
            return
        }
        guard total.events + total.probeEvents + total.otherRows + total.pagesFreed > 0 else { return }
        logger.info("retention: pruned", metadata: [
            "prune.events": "\(total.events)", "prune.probe_events": "\(total.probeEvents)", "prune.other_rows": "\(total.otherRows)",
            "prune.pages_freed": "\(total.pagesFreed)", "prune.seconds": "\((ContinuousClock.now - started).components.seconds)",
            "prune.finished": "\(total.finished)",
        ])
    }

    /// One pass: plans on a reader of its own (off the cooperative pool) and prunes through `writer`,
    /// plan after plan until the store is within the policy, cancellation, or a pass cut short.
    public static func prune(writer: EventWriter, storePath: String, policy: RetentionPolicy, logger: Logger? = nil,
                             now: @escaping @Sendable () -> Int64) async throws -> PruneProgress {
        var total = PruneProgress()
        total.finished = true
        while !Task.isCancelled {
            let plan = try await OwnThread.run("retention-plan") { () throws -> PrunePlan? in
                try RetentionPlanner.plan(StoreReader(path: storePath), policy: policy, nowNs: now())
            }
            guard let plan else { break }
            if let held = plan.heldByForwardingNs, total.events + total.probeEvents == 0 {
                logger?.notice("retention held back: a forwarding target has not confirmed the events since this time", metadata: [
                    "prune.held_at": "\(held == .min ? "its first event (nothing confirmed yet)" : RFC3339.format(Timestamp(nanoseconds: held)))",
                ])
            }
            let progress = await writer.prune(plan)
            total.events += progress.events
            total.probeEvents += progress.probeEvents
            total.otherRows += progress.otherRows
            total.pagesFreed += progress.pagesFreed
            total.finished = progress.finished
            guard progress.finished, !plan.complete else { break }
        }
        return total
    }
}
