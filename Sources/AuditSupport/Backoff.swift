/// Capped exponential backoff: 0.5 s, 1 s, 2 s … 30 s by default. The collector reconnects to Docker
/// with it, the notifier retries a sink with it.
public struct Backoff: Sendable {
    public private(set) var current: Duration
    public let initial: Duration
    public let maximum: Duration

    public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = maximum
        self.current = initial
    }

    /// The delay to wait now; the next one doubles.
    public mutating func next() -> Duration {
        let delay = current
        current = min(current * 2, maximum)
        return delay
    }

    public mutating func reset() { current = initial }
}
