/// Capped exponential backoff for reconnecting: 0.5 s, 1 s, 2 s … 30 s.
struct Backoff {
    private(set) var current: Duration
    let initial: Duration
    let maximum: Duration

    init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = maximum
        self.current = initial
    }

    /// The delay to wait now; the next one doubles.
    mutating func next() -> Duration {
        let delay = current
        current = min(current * 2, maximum)
        return delay
    }

    mutating func reset() { current = initial }
}
