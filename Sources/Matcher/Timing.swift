/// How far apart the events of one daemon-level sequence can be.
enum Timing {
    static let second: Int64 = 1_000_000_000
    /// Between consecutive events of `docker stop`/`restart`/`kill`: the default 10 s grace before
    /// SIGKILL, plus slack.
    static let sequenceGapNs: Int64 = 12 * second
    /// From `create` to the `start` of the same `docker run` or `compose up`.
    static let createStartNs: Int64 = 60 * second
    /// From a compose recreate's `create` to its last step; the old container's stop waits up to its
    /// grace period first.
    static let recreateNs: Int64 = 120 * second
    /// From `die` to the restart policy's `start`: moby's back-off doubles up to one minute.
    static let restartPolicyDelayNs: Int64 = 65 * second
    /// After a gap ends, starts of restart-policy containers are the daemon coming back.
    static let daemonStartGraceNs: Int64 = 60 * second
}
