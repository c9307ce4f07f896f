/// Why an event is context rather than a change a person made.
public enum ContextReason: String, Sendable, CaseIterable {
    /// The daemon's health check running its configured command.
    case healthProbe = "health probe"
    /// `exec_create`, `exec_die` or `exec_detach` of an exec; its `exec_start` is the change.
    case execCompanion = "exec companion"
    /// A `die` that no kill, stop or restart caused: the process exited.
    case processExit = "process exit"
    case outOfMemory = "out of memory"
    case healthStatus = "health status"
    /// The daemon restarting a container that died, as its restart policy says.
    case restartPolicy = "restart policy"
    /// The daemon starting containers with a restart policy after its own restart.
    case daemonRestart = "daemon restart"
    /// An action that changes nothing: resize, top, detach, network and volume traffic, …
    case notAChange = "not a change"
}

/// An event kept for the timeline but never a finding.
public struct ContextEvent: Sendable, Equatable {
    public var event: MatcherEvent
    public var reason: ContextReason
}
