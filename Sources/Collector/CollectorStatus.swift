import Synchronization

/// What the collector's health endpoint and metrics report, updated by the running service and read
/// from any thread.
public final class CollectorStatus: Sendable {
    private let live = Atomic<Bool>(false)
    private let connections = Atomic<Int>(0)
    private let gapCount = Atomic<Int>(0)

    public init() {}

    /// True while the live event stream is open.
    public var connected: Bool { live.load(ordering: .relaxed) }
    /// Connections after the first one.
    public var reconnects: Int { max(0, connections.load(ordering: .relaxed) - 1) }
    /// Gaps recorded since this process started.
    public var gaps: Int { gapCount.load(ordering: .relaxed) }

    func connectedLive() { live.store(true, ordering: .relaxed) }
    func disconnected() { live.store(false, ordering: .relaxed) }
    func connecting() { connections.add(1, ordering: .relaxed) }
    func recordedGap() { gapCount.add(1, ordering: .relaxed) }
}
