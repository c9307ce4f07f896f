import AuditSupport
import DockerAPI
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the matcher and the drift check need to know about a container at one moment, normalised from
/// its inspect: identity, image, configuration, resources, and the state that reveals restarts.
public struct ContainerSnapshot: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var imageID: String
    public var imageRef: String?
    public var created: String
    public var status: String
    public var running: Bool
    public var startedAt: String?
    public var finishedAt: String?
    public var restartCount: Int?
    public var env: [String]
    public var cmd: [String]?
    public var entrypoint: [String]?
    public var user: String?
    public var workingDir: String?
    public var labels: [String: String]
    public var healthcheck: ContainerInspect.Healthcheck?
    public var shell: [String]?
    public var memory: Int64?
    public var memoryReservation: Int64?
    public var memorySwap: Int64?
    public var nanoCpus: Int64?
    public var cpuShares: Int64?
    public var cpuQuota: Int64?
    public var cpuPeriod: Int64?
    public var cpusetCpus: String?
    public var pidsLimit: Int64?
    public var restartPolicy: String?
    public var privileged: Bool?
    public var capAdd: [String]?
    public var capDrop: [String]?
    public var networkMode: String?
    /// `8080/tcp <- 0.0.0.0:80`, sorted.
    public var ports: [String]
    /// `bind /srv/data -> /data rw`, sorted.
    public var mounts: [String]
    public var readonlyRootfs: Bool?

    public init(_ i: ContainerInspect) {
        id = i.id
        name = i.displayName
        imageID = i.image
        imageRef = i.config.image
        created = i.created
        status = i.state.status
        running = i.state.running
        startedAt = i.state.startedAt
        finishedAt = i.state.finishedAt
        restartCount = i.restartCount
        env = i.config.env ?? []
        cmd = i.config.cmd
        entrypoint = i.config.entrypoint
        user = i.config.user.flatMap { $0.isEmpty ? nil : $0 }
        workingDir = i.config.workingDir.flatMap { $0.isEmpty ? nil : $0 }
        labels = i.config.labels ?? [:]
        healthcheck = i.config.healthcheck
        shell = i.config.shell
        let h = i.hostConfig
        memory = h.memory
        memoryReservation = h.memoryReservation
        memorySwap = h.memorySwap
        nanoCpus = h.nanoCpus
        cpuShares = h.cpuShares
        cpuQuota = h.cpuQuota
        cpuPeriod = h.cpuPeriod
        cpusetCpus = h.cpusetCpus.flatMap { $0.isEmpty ? nil : $0 }
        pidsLimit = h.pidsLimit
        if let policy = h.restartPolicy?.name, !policy.isEmpty {
            let retries = h.restartPolicy?.maximumRetryCount ?? 0
            restartPolicy = policy == "on-failure" && retries > 0 ? "on-failure:\(retries)" : policy
        }
        privileged = h.privileged
        capAdd = h.capAdd
        capDrop = h.capDrop
        networkMode = h.networkMode
        ports = (h.portBindings ?? [:]).flatMap { containerPort, bindings in
            (bindings ?? []).map { "\(containerPort) <- \($0.hostIp.flatMap { $0.isEmpty ? nil : $0 } ?? "0.0.0.0"):\($0.hostPort ?? "")" }
        }.sorted()
        mounts = (i.mounts ?? []).map { m in
            "\(m.type ?? "bind") \(m.name ?? m.source ?? "") -> \(m.destination) \(m.rw == false ? "ro" : "rw")"
        }.sorted()
        readonlyRootfs = h.readonlyRootfs
    }

    public var startedAtTimestamp: Timestamp? { startedAt.flatMap(RFC3339.parse).flatMap { $0.nanoseconds > 0 ? $0 : nil } }
    public var createdTimestamp: Timestamp? { RFC3339.parse(created) }

    public var project: String? { labels["com.docker.compose.project"] }
    public var service: String? { labels["com.docker.compose.service"] }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding plain value types cannot fail.
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    public static func decode(json: String) -> ContainerSnapshot? {
        try? JSONDecoder().decode(ContainerSnapshot.self, from: Data(json.utf8))
    }
}
