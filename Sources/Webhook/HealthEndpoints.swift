import AuditSupport
import Hummingbird

/// `/healthz` and `/metrics`, both read from the collector's health at request time.
struct HealthEndpoints: Sendable {
    let health: any CollectorHealthSource
    let metrics: WebhookMetrics

    /// 200 while the collector is connected to Docker, 503 otherwise, so a load balancer or
    /// orchestrator probe sees a collector that cannot record as unhealthy.
    func healthz() -> Response {
        let state = health.health()
        var w = JSONWriter()
        w.beginObject()
        w.field("status", state.connected ? "ok" : "disconnected")
        w.field("connected", state.connected)
        w.key("last_event_age_seconds")
        // JSONWriter has no floating point; the Double's shortest spelling is valid JSON when finite.
        if let age = state.lastEventAgeSeconds, age.isFinite { w.raw(String(age)) } else { w.raw("null") }
        w.endObject()
        return JSONResponse.make(state.connected ? .ok : .serviceUnavailable, json: w.text)
    }

    func prometheus() -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.render(health.health())))
        )
    }
}
