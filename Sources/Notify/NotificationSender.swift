import AuditStore
import AuditSupport
import HTTPTransport
import Logging
import Matcher

/// Delivers one sink's pending notifications in order, each until the sink answers 2xx (marked sent),
/// refuses it for good (a 4xx other than 408, 425 and 429: marked failed and logged with the answer),
/// or shutdown. Between attempts it waits with capped exponential backoff, so a sink down for ten
/// minutes gets the notifications once it is back; each attempt is bounded by the request timeout, and
/// the sender is a task of its own: a hung sink never holds the event stream or the writer.
struct NotificationSender: Sendable {
    let sink: any NotificationSink
    let outbox: NotificationOutbox
    let logger: Logger

    /// How many pending deliveries are read at once.
    static let batch = 50

    enum Outcome {
        case delivered
        case refused(String)
        case retry(String)
    }

    /// Runs until cancelled; each value of `wakes` (the evaluator's tick) checks for new work.
    func run(wakes: AsyncStream<Void>) async {
        var nextRefresh = ContinuousClock.now + AlertmanagerSink.refreshInterval
        for await _ in wakes {
            await drain()
            if let alertmanager = sink as? AlertmanagerSink, ContinuousClock.now >= nextRefresh {
                nextRefresh = ContinuousClock.now + AlertmanagerSink.refreshInterval
                await refresh(alertmanager)
            }
            if Task.isCancelled { return }
        }
    }

    private var name: String { sink.configuration.name }

    private func drain() async {
        while !Task.isCancelled {
            let (outbox, name) = (self.outbox, self.name)
            let pending: [PendingDelivery]
            do {
                pending = try await OwnThread.run("notify-pending") { () throws(SQLiteError) in try outbox.pending(sink: name, limit: Self.batch) }
            } catch {
                logger.error("cannot read the notification outbox; trying again", metadata: ["notify.sink": "\(name)", "notify.error": "\(error)"])
                return
            }
            if pending.isEmpty { return }
            for delivery in pending {
                guard await deliver(delivery) else { return }
            }
        }
    }

    /// True once the delivery is settled (sent or refused for good); false when cancelled first.
    private func deliver(_ delivery: PendingDelivery) async -> Bool {
        let (outbox, name, id) = (self.outbox, self.name, delivery.notificationID)
        let metadata: Logger.Metadata = [
            "notify.sink": "\(name)", "notify.target": "\(sink.configuration.origin)", "notify.id": "\(VisibleText.escaped(delivery.entry.findingID)):\(delivery.entry.status)",
        ]
        let payload: NotificationPayload
        do {
            payload = try NotificationPayload.decode(delivery.entry.body)
        } catch {
            logger.error("stored notification is unreadable; dropped", metadata: metadata.merging(["notify.error": "\(error)"]) { a, _ in a })
            try? await OwnThread.run("notify-mark") { () throws(SQLiteError) in
                try outbox.markFailed(sink: name, notificationID: id, error: "unreadable body: \(error)", nowNs: Timestamp.now().nanoseconds)
            }
            return true
        }
        let opened = delivery.entry.openedBody.flatMap { try? NotificationPayload.decode($0) }
        var backoff = Backoff(initial: .milliseconds(500), maximum: .seconds(30))
        var attempts = delivery.attempts
        while !Task.isCancelled {
            let outcome = await attempt(sink.request(for: payload, body: delivery.entry.body, opened: opened, now: .now()))
            attempts += 1
            switch outcome {
            case .delivered:
                do {
                    try await OwnThread.run("notify-mark") { () throws(SQLiteError) in
                        try outbox.markSent(sink: name, notificationID: id, nowNs: Timestamp.now().nanoseconds)
                    }
                } catch {
                    // It will be sent again, with the same idempotency key: say why.
                    logger.error("notification sent but not marked sent; it will be sent again", metadata: metadata.merging(["notify.error": "\(error)"]) { a, _ in a })
                }
                logger.info("notification sent", metadata: metadata.merging(["notify.attempts": "\(attempts)"]) { a, _ in a })
                return true
            case .refused(let answer):
                try? await OwnThread.run("notify-mark") { () throws(SQLiteError) in
                    try outbox.markFailed(sink: name, notificationID: id, error: answer, nowNs: Timestamp.now().nanoseconds)
                }
                logger.error("sink refused the notification; not retried", metadata: metadata.merging(["notify.answer": "\(answer)"]) { a, _ in a })
                return true
            case .retry(let reason):
                try? await OwnThread.run("notify-mark") { () throws(SQLiteError) in try outbox.markAttempt(sink: name, notificationID: id, error: reason) }
                let delay = backoff.next()
                // Once, then every tenth attempt: a sink down for hours must not fill the journal.
                if attempts == delivery.attempts + 1 || attempts % 10 == 0 {
                    logger.warning("notification not delivered; retrying with backoff up to 30 s", metadata: metadata.merging([
                        "notify.error": "\(reason)", "notify.attempts": "\(attempts)",
                    ]) { a, _ in a })
                }
                try? await Task.sleep(for: delay)
            }
        }
        return false
    }

    /// Posts every alert still firing again, so Alertmanager (which forgets an alert past its
    /// `endsAt`, and all of them when it restarts) keeps them active. A finding older than the
    /// notifier's longest window (7 days) is no longer followed, and its alert lapses.
    private func refresh(_ alertmanager: AlertmanagerSink) async {
        let (outbox, name) = (self.outbox, self.name)
        let firing: [OutboxEntry]
        do {
            firing = try await OwnThread.run("notify-firing") { () throws(SQLiteError) in
                try outbox.delivered(sink: name, latestStatusIn: [FindingStatus.open.rawValue, FindingStatus.stale.rawValue],
                                     sinceNs: Timestamp.now().nanoseconds - EvaluationWindow.maxLookbackNs)
            }
        } catch {
            logger.error("cannot read the notification outbox; trying again", metadata: ["notify.sink": "\(name)", "notify.error": "\(error)"])
            return
        }
        let payloads = AlertmanagerSink.alerts(firing)
        var index = 0
        while index < payloads.count, !Task.isCancelled {
            let chunk = Array(payloads[index..<min(index + 100, payloads.count)])
            index += chunk.count
            if case .delivered = await attempt(alertmanager.request(for: chunk, now: .now())) { continue }
            logger.warning("firing alerts not refreshed; next attempt in a minute", metadata: ["notify.sink": "\(name)", "notify.alerts": "\(chunk.count)"])
            return
        }
    }

    private func attempt(_ request: HTTPRequest) async -> Outcome {
        do {
            // A long answer is cut, not refused: the status decides (a 2xx with a large page is delivered).
            let response = try await HTTPClient.send(request, maxBodyBytes: NotificationSinks.maxAnswerBytes, overflow: .keepHead)
            let answer = "HTTP \(response.status): " + VisibleText.escaped(String(decoding: response.body.prefix(512), as: UTF8.self))
            switch response.status {
            case 200..<300: return .delivered
            case 408, 425, 429: return .retry(answer)
            // curl follows no redirect: a moved endpoint is a configuration to fix, not a wait.
            case 300..<400: return .refused(answer + (response.headers["location"].map { " (Location: \(VisibleText.escaped($0)))" } ?? ""))
            case 400..<500: return .refused(answer)
            default: return .retry(answer)
            }
        } catch {
            // curl's words name the URL, and a sink's URL may be its credential (Slack's path is):
            // the journal and the outbox get the origin only.
            return .retry("\(error)".replacingOccurrences(of: request.url, with: sink.configuration.origin + "/***"))
        }
    }
}
