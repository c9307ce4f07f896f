import Logging
import ServiceLifecycle
import Testing
import Webhook

/// The collector runs the listener as one service among others; it must stop when the group does.
@Suite struct ServiceLifecycleTests {
    private enum Outcome { case groupStopped, deadlinePassed }

    /// Generous for a loopback listener with no connections open (it stops in milliseconds), yet far
    /// below the time limit, so a listener that ignores the shutdown fails here rather than hanging.
    private static let stopDeadline: Duration = .seconds(5)

    @Test(.timeLimit(.minutes(1)))
    func stopsOnGracefulShutdownOfItsServiceGroup() async throws {
        let logger = Logger(label: "webhook-tests") { _ in SwiftLogNoOpLogHandler() }
        // A known port rather than 0: the test must see the listener accept before it shuts it down.
        let port = try RawConnection.freePort()
        let app = buildWebhookApplication(
            configuration: WebhookConfiguration(host: "127.0.0.1", port: port, secrets: RouteSecrets(deployments: Array("s3cr3t".utf8))),
            sink: RecordingSink(), health: FixedHealth.connected, logger: logger, now: { 0 }
        )
        let group = ServiceGroup(services: [app], logger: logger)
        let outcome = try await withThrowingTaskGroup(of: Outcome.self) { tasks in
            tasks.addTask {
                try await group.run()
                return .groupStopped
            }
            defer { tasks.cancelAll() }
            // Shutting down a listener that never bound would prove nothing about stopping it.
            var listening = false
            for _ in 0..<250 {
                if (try? RawConnection(port: port)) != nil { listening = true; break }
                try await Task.sleep(for: .milliseconds(20))
            }
            try #require(listening, "the listener never accepted a connection on port \(port)")

            await group.triggerGracefulShutdown()
            tasks.addTask {
                try await Task.sleep(for: Self.stopDeadline)
                return .deadlinePassed
            }
            return try await tasks.next()
        }
        #expect(outcome == .groupStopped, "the service group's run() had not returned \(Self.stopDeadline) after graceful shutdown")
    }
}
