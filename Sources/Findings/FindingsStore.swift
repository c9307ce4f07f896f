import AuditStore
import Deployments

/// What the findings engine reads from a store: rows of a window as plain values, never SQL.
/// `StoreReader` implements it over a host's SQLite store; a fleet store implements the same reads.
///
/// Health probes are most of a busy host's events and never findings, so exec_start is read in two
/// steps: its (container, command) groups first, then the events of the groups that are not the
/// container's health check, and of execs with a tty or privileges.
public protocol FindingsStore {
    /// Container and image events in [fromNs, toNs] that can be changes (no exec family, no health
    /// status), oldest first.
    func changes(fromNs: Int64, toNs: Int64) throws -> [StoredEvent]
    /// Every (container, command line) that ran exec_start in [fromNs, toNs], with its count and span.
    func execCommandGroups(fromNs: Int64, toNs: Int64) throws -> [ExecCommandGroup]
    /// The exec_start events of one group in [fromNs, toNs].
    func execStarts(of group: ExecCommandGroup, fromNs: Int64, toNs: Int64) throws -> [StoredEvent]
    /// exec_start events in [fromNs, toNs] whose exec had a tty or privileges.
    func interactiveExecStarts(fromNs: Int64, toNs: Int64) throws -> [StoredEvent]
    /// Every snapshot of the given containers, oldest first.
    func snapshots(containerIDs: Set<String>) throws -> [String: [SnapshotRow]]
    /// What the exec inspection said about each exec id.
    func execs(ids: Set<String>) throws -> [String: ExecRow]
    /// Deployment records whose window overlaps [fromNs, toNs], each with when it was first received.
    func deployments(fromNs: Int64, toNs: Int64) throws -> [DeploymentRecord]
    /// Drift findings open at some point of [fromNs, toNs].
    func driftFindings(fromNs: Int64, toNs: Int64) throws -> [StoredDriftFinding]
    /// Every acknowledgement, oldest first.
    func acks() throws -> [StoredAck]
    /// Connected intervals overlapping [fromNs, toNs], clipped to it.
    func coverage(fromNs: Int64, toNs: Int64) throws -> [CoverageInterval]
    /// Gaps in coverage overlapping [fromNs, toNs].
    func gaps(fromNs: Int64, toNs: Int64) throws -> [StoredGap]
    /// The compose containers running as of their latest snapshot.
    func runningComposeContainers() throws -> [RunningComposeContainer]
    /// Every stored `create` of a compose-labelled container, whenever it happened, oldest first.
    func composeContainerCreates() throws -> [StoredEvent]
    /// How far retention has pruned the store.
    func retentionHorizons() throws -> RetentionHorizons
}

extension StoreReader: FindingsStore {}
