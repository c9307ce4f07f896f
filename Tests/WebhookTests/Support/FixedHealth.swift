import Webhook

/// A collector whose health never changes during a test.
struct FixedHealth: CollectorHealthSource {
    var value: CollectorHealth

    func health() -> CollectorHealth { value }

    static let connected = FixedHealth(value: CollectorHealth(
        connected: true, lastEventAgeSeconds: 12.5, eventsStored: 1042, quarantined: 3, reconnects: 2, gaps: 1,
        eventsDropped: 17, storeFull: true
    ))
    static let disconnected = FixedHealth(value: CollectorHealth(
        connected: false, lastEventAgeSeconds: nil, eventsStored: 0, quarantined: 0, reconnects: 7, gaps: 0
    ))
}
