import Collector
import Logging
import ServiceLifecycle

/// Runs beside `audit collect`: once the collector streams live (start-up and catch-up done), and
/// then every minute, hands back the clean file pages nothing uses any more.
struct ResidentPagesTrimmer: Service {
    let status: CollectorStatus
    let logger: Logger
    var interval: Duration = .seconds(60)

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await trimWhileRunning() }
        } catch is CancellationError {
            return
        }
    }

    private func trimWhileRunning() async throws {
        while !status.connected { try await Task.sleep(for: .milliseconds(500)) }
        try await Task.sleep(for: .seconds(1))
        while true {
            let released = ResidentPages.releaseCleanFilePages()
            logger.debug("released clean file pages", metadata: ["memory.released_bytes": "\(released)"])
            try await Task.sleep(for: interval)
        }
    }
}
