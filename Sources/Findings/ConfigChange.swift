import AuditStore
import AuditSupport

/// One field of a container's configuration that differs between two snapshots, in words an operator
/// reads: `memory 512 MiB → 2 GiB`.
public struct ConfigChange: Sendable, Equatable, Codable, CustomStringConvertible {
    public var field: String
    public var before: String
    public var after: String

    public var description: String { "\(field) \(before) → \(after)" }
}

extension ContainerSnapshot {
    /// The configuration fields that differ from `old`. State (running, StartedAt) is not configuration:
    /// restarts are found separately.
    public func configChanges(from old: ContainerSnapshot) -> [ConfigChange] {
        var changes: [ConfigChange] = []
        func compare<T: Equatable>(_ field: String, _ a: T?, _ b: T?, _ show: (T?) -> String) {
            if a != b { changes.append(ConfigChange(field: field, before: show(a), after: show(b))) }
        }
        let bytes: (Int64?) -> String = { ByteSize.describe($0) }
        let plain: (Int64?) -> String = { $0.map { String($0) } ?? "unset" }
        let text: (String?) -> String = { $0 ?? "unset" }
        let list: ([String]?) -> String = { $0.map { $0.joined(separator: " ") } ?? "unset" }
        compare("image", old.imageID, imageID, text)
        compare("image_ref", old.imageRef, imageRef, text)
        compare("memory", nonZero(old.memory), nonZero(memory), bytes)
        compare("memory_reservation", nonZero(old.memoryReservation), nonZero(memoryReservation), bytes)
        compare("memory_swap", nonZero(old.memorySwap), nonZero(memorySwap), bytes)
        compare("cpus", nonZero(old.nanoCpus), nonZero(nanoCpus)) { $0.map { CPUs.describe(nanoCpus: $0) } ?? "unset" }
        compare("cpu_shares", nonZero(old.cpuShares), nonZero(cpuShares), plain)
        compare("cpu_quota", nonZero(old.cpuQuota), nonZero(cpuQuota), plain)
        compare("cpu_period", nonZero(old.cpuPeriod), nonZero(cpuPeriod), plain)
        compare("cpuset_cpus", old.cpusetCpus, cpusetCpus, text)
        compare("pids_limit", positive(old.pidsLimit), positive(pidsLimit), plain)
        compare("restart_policy", old.restartPolicy ?? "no", restartPolicy ?? "no", text)
        compare("privileged", old.privileged ?? false, privileged ?? false) { $0.map { String($0) } ?? "false" }
        compare("cap_add", old.capAdd ?? [], capAdd ?? [], list)
        compare("cap_drop", old.capDrop ?? [], capDrop ?? [], list)
        compare("network_mode", old.networkMode, networkMode, text)
        compare("user", old.user, user, text)
        compare("working_dir", old.workingDir, workingDir, text)
        compare("command", old.cmd, cmd, list)
        compare("entrypoint", old.entrypoint, entrypoint, list)
        compare("ports", old.ports, ports, list)
        compare("mounts", old.mounts, mounts) { $0.map { $0.joined(separator: ", ") } ?? "none" }
        compare("healthcheck", old.healthcheck?.test, healthcheck?.test, list)
        for (key, change) in Self.envChanges(old.env, env) { changes.append(ConfigChange(field: "env.\(key)", before: change.0, after: change.1)) }
        for key in Set(old.labels.keys).union(labels.keys).sorted() where old.labels[key] != labels[key] {
            changes.append(ConfigChange(field: "label.\(key)", before: old.labels[key] ?? "unset", after: labels[key] ?? "unset"))
        }
        return changes
    }

    private static func envChanges(_ a: [String], _ b: [String]) -> [(String, (String, String))] {
        func map(_ env: [String]) -> [String: String] {
            var m: [String: String] = [:]
            for entry in env {
                let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                m[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
            }
            return m
        }
        let old = map(a), new = map(b)
        return Set(old.keys).union(new.keys).sorted().compactMap { key in
            guard old[key] != new[key] else { return nil }
            return (key, (SecretMask.value(old[key], forKey: key) ?? "unset", SecretMask.value(new[key], forKey: key) ?? "unset"))
        }
    }

    private func nonZero(_ v: Int64?) -> Int64? { v == 0 ? nil : v }
    private func positive(_ v: Int64?) -> Int64? { (v ?? 0) > 0 ? v : nil }
}
