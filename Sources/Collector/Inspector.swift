import AuditStore
import AuditSupport
import DockerAPI
import Logging

/// Performs the inspections events call for and hands the answers to the writer. Failures are logged
/// and skipped: a missing snapshot weakens a later diff but must never stop the stream.
struct Inspector: Sendable {
    let client: DockerClient
    let writer: EventWriter
    let logger: Logger

    func perform(_ inspection: Inspection) async {
        do {
            switch inspection {
            case .container(let id, let reason, let triggerNs):
                guard let inspect = try await client.inspectContainer(id) else { return }
                writer.enqueue(snapshot: SnapshotRecord(
                    containerID: id, takenNs: Timestamp.now().nanoseconds, triggerNs: triggerNs,
                    reason: reason, snapshot: ContainerSnapshot(inspect)))
            case .removed(let id, let triggerNs):
                writer.enqueue(snapshot: SnapshotRecord(containerID: id, takenNs: Timestamp.now().nanoseconds, triggerNs: triggerNs, reason: "destroy", snapshot: nil))
            case .exec(let execID, let containerID):
                guard let exec = try await client.inspectExec(execID) else {
                    logger.debug("exec already forgotten by the daemon", metadata: ["docker.exec.id": "\(execID)"])
                    return
                }
                writer.enqueue(exec: ExecRecord(exec, containerID: containerID, inspectedNs: Timestamp.now().nanoseconds))
            }
        } catch {
            logger.warning("inspect failed", metadata: ["docker.inspection": "\(inspection)", "docker.error": "\(error)"])
        }
    }
}
