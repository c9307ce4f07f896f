import AuditSupport
import Deployments
import Hummingbird
import Logging
import NIOHTTP1

/// Takes one deployment delivery from request to store. The checks run cheapest and least trusting
/// first (route served, connection budget, media type, signature header present, declared size,
/// body budget, then the body under a deadline, signature, UTF-8 and JSON, then the record's
/// bounds), so an unsigned body is never read, and the sink is called only once all of them passed.
struct DeploymentIntake: Sendable {
    let configuration: WebhookConfiguration
    let sink: any DeploymentSink
    let metrics: WebhookMetrics
    let bodies: BodyBudget
    let connections: ConnectionBudget
    /// Unix nanoseconds; the Standard Webhooks replay window and the record bounds are judged against it.
    let now: @Sendable () -> Int64

    func handle(_ request: Request, route: DeploymentRoute, logger base: Logger) async throws -> Response {
        var logger = base
        logger[metadataKey: "webhook.route"] = "\(route.rawValue)"
        do {
            return try await accept(request, route: route, logger: &logger)
        } catch let rejection as WebhookRejection {
            metrics.recordRejection(rejection.reason)
            logger.notice("webhook rejected", metadata: [
                "webhook.rejection": "\(rejection.reason.rawValue)", "webhook.error": "\(rejection.message)",
            ])
            var response = JSONResponse.error(rejection.reason.status, rejection.message)
            // The rest of a refused body is not worth waiting for: closing frees the connection now.
            if rejection.reason.closesConnection { response.headers[.connection] = "close" }
            if let seconds = rejection.retryAfterSeconds { response.headers[.retryAfter] = String(seconds) }
            return response
        } catch let error as HTTPParserError {
            // Hummingbird answers a parser error with 400 and closes; `ConnectionTracker` counts it.
            logger.notice("webhook rejected", metadata: [
                "webhook.rejection": "\(WebhookRejection.Reason.malformedRequest.rawValue)", "webhook.error": "\(error)",
            ])
            throw error
        } catch {
            // An unusable secret or a failing store: none of it is the sender's fault to fix.
            logger.error("webhook delivery failed", metadata: ["webhook.error": "\(error)"])
            return JSONResponse.error(.internalServerError, "internal error; see the auditor's log")
        }
    }

    private func accept(_ request: Request, route: DeploymentRoute, logger: inout Logger) async throws -> Response {
        guard configuration.serves(route) else {
            throw WebhookRejection(.routeDisabled, "\(route.rawValue) is not enabled on this collector: start it with \(route.secretOption) PATH")
        }
        if connections.isOverLimit {
            throw WebhookRejection(.overloaded, "too many open connections (limit \(connections.limit)); retry shortly")
        }
        try checkMediaType(request.headers[.contentType])
        let headers = HTTPHeaderMap(request.headers.map { ($0.name.rawName, $0.value) })
        let secret = configuration.secretText(for: route)
        let scheme = try signatureScheme(headers: headers, route: route, required: secret != nil)

        let limit = configuration.limits.maxBodyBytes
        if let declaredText = request.headers[.contentLength] {
            guard let declared = Int(declaredText), declared >= 0 else {
                throw WebhookRejection(.malformedRequest, "invalid Content-Length \(JSONWriter.quoted(declaredText))")
            }
            guard declared <= limit else { throw WebhookRejection.tooLarge(limit: limit) }
        }
        let reservation = BodyBudget.Reservation(bodies)
        defer { reservation.releaseAll() }
        let body = try await request.body.collectBytes(limit: limit, within: configuration.limits.requestDeadline, reservation: reservation)

        if let scheme, let secret {
            do {
                _ = try WebhookSignature.verify(scheme, body: body, headers: headers, secret: secret, now: Timestamp(nanoseconds: now()))
            } catch {
                guard let rejection = WebhookRejection(error) else { throw error }
                throw rejection
            }
        }
        // Replacing bad bytes would let two different ids decode to the same text.
        guard String(validating: body, as: UTF8.self) != nil else {
            throw WebhookRejection(.malformedJSON, "malformed JSON: the body is not valid UTF-8")
        }

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
        do throws(DeploymentInputError) {
            try configuration.recordBounds.check(record, nowNs: now())
        } catch {
            throw WebhookRejection(error)
        }

        logger[metadataKey: "deployment.id"] = "\(record.id)"
        let delivery = Delivery(id: route.deliveryID(in: headers), bodyDigest: route.bodyDigest(body))
        let stored: StoreOutcome
        do {
            stored = try await sink.store(record, delivery: delivery)
        } catch let unavailable as DeploymentStoreUnavailable {
            throw WebhookRejection(.storeUnavailable, "the deployment store is unavailable; nothing was stored, "
                + "retry in \(unavailable.retryAfterSeconds) s", retryAfterSeconds: unavailable.retryAfterSeconds)
        }
        switch stored {
        case .stored(let stored):
            metrics.recordReceived(stored.source)
            logger.info("deployment stored", metadata: [
                "deployment.source": "\(stored.source.rawValue)", "deployment.status": "\(stored.status.rawValue)",
            ])
            return JSONResponse.make(.ok, ["status": "stored", "id": stored.id, "deployment_status": stored.status.rawValue])
        case .duplicateDelivery:
            logger.info("duplicate delivery ignored", metadata: ["webhook.delivery_id": "\(delivery.id ?? delivery.bodyDigest)"])
            return JSONResponse.make(.ok, ["status": "duplicate delivery"])
        case .deliveryConflict:
            throw WebhookRejection(.deliveryConflict, "delivery id \(JSONWriter.quoted(delivery.id ?? "")) was already used "
                + "for a different body: a retry must resend the same bytes, a new delivery needs a new id")
        case .sourceConflict(let existing):
            throw WebhookRejection(.sourceConflict, "deployment \(JSONWriter.quoted(record.id)) is already recorded "
                + "from \(existing.rawValue), not \(record.source.rawValue): use another id")
        case .recordConflict(let conflict):
            throw WebhookRejection(.recordConflict, conflict.description)
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

    /// The scheme whose header the request carries, checked before any body byte is read; nil when
    /// the route goes unauthenticated.
    private func signatureScheme(headers: HTTPHeaderMap, route: DeploymentRoute, required: Bool) throws(WebhookRejection) -> WebhookSignature.Scheme? {
        guard required else { return nil }
        let accepted = route.schemes(acceptBareHMAC: configuration.acceptBareHMAC)
        guard let scheme = accepted.first(where: { headers[$0.headerName] != nil }) else {
            if route == .deployments, headers[WebhookSignature.Scheme.audit.headerName] != nil {
                throw WebhookRejection(.missingSignature, "X-Audit-Signature-256 alone can be replayed and is not accepted: "
                    + "sign with the Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature), "
                    + "as `audit deploy --collector` does, or start the collector with --accept-bare-hmac")
            }
            throw WebhookRejection(.missingSignature, route.missingSignatureMessage(acceptBareHMAC: configuration.acceptBareHMAC))
        }
        return scheme
    }
}
