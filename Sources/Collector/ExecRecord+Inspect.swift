import AuditStore
import DockerAPI

extension ExecRecord {
    /// What the store keeps of `GET /exec/{id}/json`.
    public init(_ exec: ExecInspect, containerID: String, inspectedNs: Int64) {
        self.init(execID: exec.id, containerID: containerID, inspectedNs: inspectedNs, user: exec.processConfig.user,
                  privileged: exec.processConfig.privileged, tty: exec.processConfig.tty, openStdin: exec.openStdin,
                  entrypoint: exec.processConfig.entrypoint, arguments: exec.processConfig.arguments ?? [])
    }
}
