import AuditSupport
import Hummingbird

/// `/healthz` and `/metrics`, both read at request time from what the listener runs beside: a
/// collector (`audit collect --listen`) or only the store the deployments go to (`audit serve`).
struct HealthEndpoints: Sendable {
    enum Source: Sendable {
        case collector(any CollectorHealthSource)
        case store(any DeploymentStoreHealthSource)
    }

    let source: Source
    let metrics: WebhookMetrics

    /// 200 while the collector is connected to Docker (without one, while the store answers), 503
    /// otherwise, so a load balancer or orchestrator probe sees a process that cannot record as unhealthy.
    func healthz() -> Response {
        var w = JSONWriter()
        w.beginObject()
        let connected: Bool
        switch source {
        case .collector(let collector):
            let state = collector.health()
            connected = state.connected
            w.field("status", connected ? "ok" : "disconnected")
            w.field("connected", connected)
            w.key("last_event_age_seconds")
            // JSONWriter has no floating point; the Double's shortest spelling is valid JSON when finite.
            if let age = state.lastEventAgeSeconds, age.isFinite { w.raw(String(age)) } else { w.raw("null") }
        case .store(let store):
            connected = store.health().connected
            w.field("status", connected ? "ok" : "disconnected")
            w.field("connected", connected)
        }
        w.endObject()
        return JSONResponse.make(connected ? .ok : .serviceUnavailable, json: w.text)
    }

    func prometheus() -> Response {
        let text: String
        switch source {
        case .collector(let collector): text = metrics.render(collector.health())
        case .store(let store): text = metrics.render(store.health())
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }
}
