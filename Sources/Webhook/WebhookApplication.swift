import Hummingbird
import Logging

/// The deployment webhook listener with `/healthz` and `/metrics`, as a Hummingbird application.
/// It is a swift-service-lifecycle `Service`: add it to the collector's `ServiceGroup`, which starts
/// it and shuts it down gracefully with the rest.
///
/// Call `configuration.validate()` first; this function trusts it, so a nil secret here means
/// requests are accepted unsigned.
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
    let metrics = WebhookMetrics()
    let intake = DeploymentIntake(
        secret: configuration.secretText, maxBodyBytes: configuration.maxBodyBytes, sink: sink, metrics: metrics, now: now
    )
    let endpoints = HealthEndpoints(health: health, metrics: metrics)

    let router = Router(context: BasicRequestContext.self)
    for route in DeploymentRoute.allCases {
        router.post(RouterPath(route.rawValue)) { request, context in
            await intake.handle(request, route: route, logger: context.logger)
        }
    }
    router.get("/healthz") { _, _ in endpoints.healthz() }
    router.get("/metrics") { _, _ in endpoints.prometheus() }

    return Application(
        router: router,
        configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port)),
        logger: logger
    )
}
