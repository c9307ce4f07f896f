#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The collector's descriptors are shared by the Docker client (the event stream, one connection per
/// inspection) and the webhook listener. Under `ulimit -n 1024`, 1,100 idle webhook sockets once left
/// none for the inspections. The soft limit is raised to the hard one, and the listener may use at
/// most half of what remains after a reserve, whatever `--max-connections` asks.
enum FileDescriptors {
    /// Descriptors kept for everything but webhook connections: the store, the Docker client, logs.
    static let reserve = 256

    /// `requested`, lowered so that webhook connections cannot exhaust the descriptor limit.
    static func connectionCap(requested: Int) -> Int {
        let limit = raiseSoftLimit()
        return max(1, min(requested, (limit - reserve) / 2))
    }

    /// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit in force.
    private static func raiseSoftLimit() -> Int {
        var limits = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limits) == 0 else { return 1024 }
        if limits.rlim_cur < limits.rlim_max {
            var raised = limits
            raised.rlim_cur = limits.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limits = raised }
        }
        return limits.rlim_cur > rlim_t(Int32.max) ? Int(Int32.max) : Int(limits.rlim_cur)
    }
}
