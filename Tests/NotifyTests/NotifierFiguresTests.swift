import AuditStore
import Testing
@testable import Notify

/// What the notifier reports and renders at its limits: counters that retention cannot lower, and
/// Slack text cut after escaping.
struct NotifierFiguresTests {
    @Test func deliveryCountersNeverGoDownWhenRetentionDeletesDeliveredRows() {
        let status = NotifierStatus(sinks: ["webhook:1a2b3c4d"])
        status.update(openFindings: [:], deliveries: ["webhook:1a2b3c4d": DeliveryCounts(sent: 5, failed: 2, pending: 1)])
        #expect(status.snapshot.deliveries["webhook:1a2b3c4d"] == DeliveryCounts(sent: 5, failed: 2, pending: 1))
        // A prune deleted four delivered and both refused rows: the outbox counts fall, the counters hold.
        status.update(openFindings: [:], deliveries: ["webhook:1a2b3c4d": DeliveryCounts(sent: 1, failed: 0, pending: 0)])
        #expect(status.snapshot.deliveries["webhook:1a2b3c4d"] == DeliveryCounts(sent: 5, failed: 2, pending: 0))
        // Two more sent and one refused: added to the counters.
        status.update(openFindings: [:], deliveries: ["webhook:1a2b3c4d": DeliveryCounts(sent: 3, failed: 1, pending: 0)])
        #expect(status.snapshot.deliveries["webhook:1a2b3c4d"] == DeliveryCounts(sent: 7, failed: 3, pending: 0))
    }

    @Test func slackTextIsCutAfterEscapingAndNeverInsideAnEntity() {
        // 1,584 characters of shell, a third of them escaped: 2,182 characters once escaped.
        let command = String(repeating: "a && b 2>&1 <x ", count: 106)
        let escaped = SlackSink.escape(command)
        #expect(escaped.count <= SlackSink.maxValueCharacters + 1, "\(escaped.count)")
        #expect(escaped.hasSuffix("…"))
        let body = escaped.dropLast()
        #expect(!body.contains("<") && !body.contains(">"))
        // Every & starts a whole entity.
        var rest = Substring(body)
        while let amp = rest.firstIndex(of: "&") {
            let tail = rest[amp...]
            #expect(tail.hasPrefix("&amp;") || tail.hasPrefix("&lt;") || tail.hasPrefix("&gt;"), "\(tail.prefix(8))")
            rest = rest[rest.index(after: amp)...]
        }
        #expect(SlackSink.escape("<!channel> & co") == "&lt;!channel&gt; &amp; co")
    }
}
