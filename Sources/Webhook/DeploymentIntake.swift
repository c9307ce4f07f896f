import AuditSupport
import Deployments
import Hummingbird
import Logging

/// Takes one deployment delivery from request to store. The checks run cheapest and least trusting
/// first (media type, size, signature, then JSON), so an unsigned body is never parsed, and the sink
/// is called only once all of them passed.
struct DeploymentIntake: Sendable {
    /// Nil when requests go unauthenticated (`insecureNoAuth` on loopback, checked by `validate()`).
    let secret: String?
    let maxBodyBytes: Int
    let sink: any DeploymentSink
    let metrics: WebhookMetrics
    /// Unix nanoseconds; the Standard Webhooks replay window is judged against it.
    let now: @Sendable () -> Int64

    func handle(_ request: Request, route: DeploymentRoute, logger base: Logger) async -> Response {
        var logger = base
        logger[metadataKey: "webhook.route"] = "\(route.rawValue)"
        do {
            return try await accept(request, route: route, logger: &logger)
        } catch let rejection as WebhookRejection {
            metrics.recordRejection(rejection.reason)
            logger.notice("webhook rejected", metadata: [
                "webhook.rejection": "\(rejection.reason.rawValue)", "webhook.error": "\(rejection.message)",
            ])
            return JSONResponse.error(rejection.reason.status, rejection.message)
        } catch {
            // A broken connection, an unusable secret or a failing store: none of it is the sender's fault to fix.
            logger.error("webhook delivery failed", metadata: ["webhook.error": "\(error)"])
            return JSONResponse.error(.internalServerError, "internal error; see the auditor's log")
        }
    }

    private func accept(_ request: Request, route: DeploymentRoute, logger: inout Logger) async throws -> Response {
        try checkMediaType(request.headers[.contentType])
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxBodyBytes {
            throw WebhookRejection.tooLarge(limit: maxBodyBytes)
        }
        let body = try await request.body.collectBytes(limit: maxBodyBytes)
        let headers = HTTPHeaderMap(request.headers.map { ($0.name.rawName, $0.value) })
        if let secret { try verify(body: body, headers: headers, route: route, secret: secret) }

        let outcome: DeploymentWebhookOutcome
        do {
            outcome = try route.map(body: body, headers: headers)
        } catch {
            throw WebhookRejection(error)
        }
        let record: DeploymentRecord
        switch outcome {
        case .record(let mapped):
            record = mapped
        case .ignored(let what):
            logger.info("webhook ignored", metadata: ["webhook.ignored": "\(what)"])
            return JSONResponse.make(.accepted, ["status": "ignored: \(what)"])
        }

        logger[metadataKey: "deployment.id"] = "\(record.id)"
        let deliveryID = route.deliveryID(in: headers)
        switch try await sink.store(record, deliveryID: deliveryID) {
        case .stored(let stored):
            metrics.recordReceived(stored.source)
            logger.info("deployment stored", metadata: [
                "deployment.source": "\(stored.source.rawValue)", "deployment.status": "\(stored.status.rawValue)",
            ])
            return JSONResponse.make(.ok, ["status": "stored", "id": stored.id, "deployment_status": stored.status.rawValue])
        case .duplicateDelivery:
            logger.info("duplicate delivery ignored", metadata: ["webhook.delivery_id": "\(deliveryID ?? "")"])
            return JSONResponse.make(.ok, ["status": "duplicate delivery"])
        case .sourceConflict(let existing):
            throw WebhookRejection(.sourceConflict, "deployment \(JSONWriter.quoted(record.id)) is already recorded "
                + "from \(existing.rawValue), not \(record.source.rawValue): use another id")
        }
    }

    /// JSON only: GitHub can be set to send form-encoded payloads, which would otherwise fail later as
    /// "malformed JSON" and hide the real fix.
    private func checkMediaType(_ value: String?) throws(WebhookRejection) {
        guard let value else { throw WebhookRejection(.unsupportedMediaType, "missing Content-Type: send application/json") }
        let mediaType = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard mediaType.trimmingSpaces().lowercased() == "application/json" else {
            throw WebhookRejection(.unsupportedMediaType, "unsupported Content-Type \(JSONWriter.quoted(value)): send application/json")
        }
    }

    private func verify(body: [UInt8], headers: HTTPHeaderMap, route: DeploymentRoute, secret: String) throws {
        guard let scheme = route.schemes.first(where: { headers[$0.headerName] != nil }) else {
            throw WebhookRejection(.missingSignature, route.missingSignatureMessage)
        }
        do {
            _ = try WebhookSignature.verify(scheme, body: body, headers: headers, secret: secret, now: Timestamp(nanoseconds: now()))
        } catch {
            guard let rejection = WebhookRejection(error) else { throw error }
            throw rejection
        }
    }
}
