import AuditStore
import DockerAPI

extension ContainerSnapshot {
    /// What the store keeps of a `docker inspect`: the wire format stops here, in the collector.
    public init(_ i: ContainerInspect) {
        self.init(id: i.id, name: i.displayName, imageID: i.image, created: i.created, status: i.state.status, running: i.state.running)
        imageRef = i.config.image
        startedAt = i.state.startedAt
        finishedAt = i.state.finishedAt
        restartCount = i.restartCount
        env = i.config.env ?? []
        cmd = i.config.cmd
        entrypoint = i.config.entrypoint
        user = i.config.user.flatMap { $0.isEmpty ? nil : $0 }
        workingDir = i.config.workingDir.flatMap { $0.isEmpty ? nil : $0 }
        labels = i.config.labels ?? [:]
        healthcheck = i.config.healthcheck.map {
            Healthcheck(test: $0.test, interval: $0.interval, timeout: $0.timeout, retries: $0.retries, startPeriod: $0.startPeriod)
        }
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
}
