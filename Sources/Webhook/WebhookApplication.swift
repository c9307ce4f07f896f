import Hummingbird
import Logging

/// The deployment webhook listener with `/healthz` and `/metrics`, as a Hummingbird application.
/// It is a swift-service-lifecycle `Service`: add it to the collector's `ServiceGroup`, which starts
/// it and shuts it down gracefully with the rest.
///
/// Call `configuration.validate()` first; this function trusts it, so a route without a secret
/// here goes unauthenticated when `insecureNoAuth` is set and is not served otherwise.
///
/// - Parameters:
///   - sink: stores the deployments that pass every check; never called for a rejected request.
///   - health: the collector's state for `/healthz` and `/metrics`.
///   - now: the wall clock in Unix nanoseconds, for the Standard Webhooks replay window.
public func buildWebhookApplication(
    configuration: WebhookConfiguration,
    sink: any DeploymentSink,
    health: any CollectorHealthSource,
    logger: Logger,
    now: @escaping @Sendable () -> Int64
) -> some ApplicationProtocol {
    buildWebhookApplication(configuration: configuration, sink: sink, source: .collector(health), logger: logger, now: now)
}

/// The same listener without a collector beside it (`audit serve`): `/healthz` and `/metrics` report
/// whether the store the deployments go to answers, and the listener's own counters.
public func buildWebhookApplication(
    configuration: WebhookConfiguration,
    sink: any DeploymentSink,
    storeHealth: any DeploymentStoreHealthSource,
    logger: Logger,
    now: @escaping @Sendable () -> Int64
) -> some ApplicationProtocol {
    buildWebhookApplication(configuration: configuration, sink: sink, source: .store(storeHealth), logger: logger, now: now)
}

private func buildWebhookApplication(
    configuration: WebhookConfiguration,
    sink: any DeploymentSink,
    source: HealthEndpoints.Source,
    logger: Logger,
    now: @escaping @Sendable () -> Int64
) -> some ApplicationProtocol {
    let metrics = WebhookMetrics()
    let connections = ConnectionBudget(limit: configuration.limits.maxConnections) { metrics.recordRejection(.malformedRequest) }
    let intake = DeploymentIntake(
        configuration: configuration, sink: sink, metrics: metrics,
        bodies: BodyBudget(capacity: configuration.limits.bodyBudgetBytes), connections: connections, now: now
    )
    let endpoints = HealthEndpoints(source: source, metrics: metrics)

    let router = Router(context: BasicRequestContext.self)
    for route in DeploymentRoute.allCases {
        router.post(RouterPath(route.rawValue)) { request, context in
            try await intake.handle(request, route: route, logger: context.logger)
        }
    }
    router.get("/healthz") { _, _ in endpoints.healthz() }
    router.get("/metrics") { _, _ in endpoints.prometheus() }

    return Application(
        router: router,
        server: .http1(configuration: .init(
            additionalChannelHandlers: [connections.tracker(), CloseAfterRefusal()],
            idleTimeout: .nanoseconds(configuration.limits.idleTimeout.nanoseconds))),
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port),
            availableConnectionsDelegate: connections.delegate
        ),
        logger: logger
    )
}

extension Duration {
    /// Whole nanoseconds, saturating: `TimeAmount` and the tests speak nanoseconds.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (total, sumOverflow) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow || sumOverflow ? (seconds < 0 ? .min : .max) : total
    }
}
