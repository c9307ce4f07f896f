import Logging
import ServiceLifecycle
import Testing
import Webhook

/// The collector runs the listener as one service among others; it must stop when the group does.
@Suite struct ServiceLifecycleTests {
    @Test func stopsOnGracefulShutdownOfItsServiceGroup() async throws {
        let logger = Logger(label: "webhook-tests") { _ in SwiftLogNoOpLogHandler() }
        let app = buildWebhookApplication(
            configuration: WebhookConfiguration(host: "127.0.0.1", port: 0, secrets: RouteSecrets(deployments: Array("s3cr3t".utf8))),
            sink: RecordingSink(), health: FixedHealth.connected, logger: logger, now: { 0 }
        )
        let group = ServiceGroup(services: [app], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
