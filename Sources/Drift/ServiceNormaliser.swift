import AuditSupport
/// Turns one merged service definition into an `ExpectedService`.
struct ServiceNormaliser {
    let projectName: String
    let projectDirectory: String
    /// The interpolation environment; also resolves bare `KEY` entries.
    let environment: [String: String]
    let declaredVolumes: [String: ComposeValue]

    func normalise(name: String, _ definition: ComposeValue) throws -> ExpectedService {
        guard let spec = definition.mapping else {
            throw DriftError.compose(at: definition.origin, "service \(name) must be a mapping")
        }
        var service = ExpectedService(name: name)
        let fail = { (key: String, value: ComposeValue, problem: String) -> DriftError in
            DriftError.compose(at: value.origin, "service \(name): \(key): \(problem)")
        }
        let deploy = spec["deploy"]
        let limits = deploy?["resources"]?["limits"]
        let reservations = deploy?["resources"]?["reservations"]

        if let image = spec["image"]?.string {
            service.image = image
            if let at = image.range(of: "@") { service.imageDigest = String(image[at.upperBound...]) }
        }
        service.memoryBytes = try bytes(spec["mem_limit"] ?? limits?["memory"], "mem_limit", fail)
        service.memoryReservationBytes = try bytes(spec["mem_reservation"] ?? reservations?["memory"],
                                                   "mem_reservation", fail)
        if let cpus = spec["cpus"] ?? limits?["cpus"] {
            guard let text = cpus.string, let nanos = DecimalText.scaled(text, by: 1_000_000_000) else {
                throw fail("cpus", cpus, "invalid cpu count \"\(cpus.string ?? cpus.shape)\"")
            }
            service.nanoCPUs = nanos
        }
        service.cpuShares = try integer(spec["cpu_shares"], "cpu_shares", fail)
        service.pidsLimit = try integer(spec["pids_limit"] ?? limits?["pids"], "pids_limit", fail)
        service.environment = try environmentVariables(spec, fail)
        service.command = try words(spec["command"], "command", fail)
        service.entrypoint = try words(spec["entrypoint"], "entrypoint", fail)
        service.user = spec["user"]?.string
        service.workingDir = spec["working_dir"]?.string
        service.labels = try stringMap(spec["labels"], "labels", fail)
        if let restart = spec["restart"] {
            guard let policy = restart.string.flatMap(RestartPolicy.init(compose:)) else {
                throw fail("restart", restart, "invalid restart policy \"\(restart.string ?? restart.shape)\"")
            }
            service.restart = policy
        }
        if let health = spec["healthcheck"] {
            service.healthcheck = try healthcheck(health, fail)
        }
        for port in spec["ports"]?.sequence ?? [] {
            do {
                service.ports.formUnion(try PortParser.parse(port))
            } catch {
                throw fail("ports", port, "invalid port \"\(error.text)\"")
            }
        }
        let mountParser = MountParser(projectDirectory: projectDirectory, projectName: projectName,
                                      declaredVolumes: declaredVolumes, home: environment["HOME"])
        for volume in spec["volumes"]?.sequence ?? [] {
            guard let mount = mountParser.parse(volume) else {
                throw fail("volumes", volume, "invalid volume \"\(volume.string ?? volume.shape)\"")
            }
            service.mounts.append(mount)
        }
        service.networkMode = spec["network_mode"]?.string
        service.privileged = spec["privileged"]?.string.map(MountParser.isTrue) ?? false
        service.capAdd = Set((spec["cap_add"]?.sequence ?? []).compactMap(\.string).map(Capability.normalise))
        service.capDrop = Set((spec["cap_drop"]?.sequence ?? []).compactMap(\.string).map(Capability.normalise))
        if let replicas = spec["scale"] ?? deploy?["replicas"] {
            guard let count = replicas.string.flatMap(Int.init), count >= 0 else {
                throw fail("scale", replicas, "invalid replica count \"\(replicas.string ?? replicas.shape)\"")
            }
            service.replicas = count
        }
        service.profiles = (spec["profiles"]?.sequence ?? []).compactMap(\.string)
        return service
    }

    private func bytes(_ value: ComposeValue?, _ key: String,
                       _ fail: (String, ComposeValue, String) -> DriftError) throws -> Int64? {
        guard let value else { return nil }
        guard let text = value.string, let bytes = ByteSize.parse(text) else {
            throw fail(key, value, "invalid memory size \"\(value.string ?? value.shape)\"")
        }
        return bytes
    }

    private func integer(_ value: ComposeValue?, _ key: String,
                         _ fail: (String, ComposeValue, String) -> DriftError) throws -> Int64? {
        guard let value else { return nil }
        guard let number = value.string.flatMap(Int64.init) else {
            throw fail(key, value, "invalid integer \"\(value.string ?? value.shape)\"")
        }
        return number
    }

    /// `command`/`entrypoint`: strings are split like a shell would, lists kept as is.
    private func words(_ value: ComposeValue?, _ key: String,
                       _ fail: (String, ComposeValue, String) -> DriftError) throws -> [String]? {
        guard let value, !value.isNull else { return nil }
        if let list = value.sequence { return list.map { $0.string ?? "" } }
        guard let text = value.string else { throw fail(key, value, "must be a string or a list") }
        do {
            return try ShellWords.split(text)
        } catch {
            throw fail(key, value, "unterminated quote in \"\(text)\"")
        }
    }

    /// Maps and `KEY=VALUE` lists; a key without value becomes an empty string (labels).
    private func stringMap(_ value: ComposeValue?, _ key: String,
                           _ fail: (String, ComposeValue, String) -> DriftError) throws -> [String: String] {
        guard let value else { return [:] }
        let map: [String: ComposeValue]
        if let list = value.sequence {
            map = ComposeMerger.keyedMap(list, separator: "=")
        } else if let m = value.mapping {
            map = m
        } else {
            throw fail(key, value, "must be a mapping or a list")
        }
        return map.mapValues { $0.string ?? "" }
    }

    /// `env_file` entries first, then `environment`, which wins; bare keys come
    /// from the interpolation environment or are left out.
    private func environmentVariables(_ spec: [String: ComposeValue],
                                      _ fail: (String, ComposeValue, String) -> DriftError) throws -> [String: String] {
        var result: [String: String] = [:]
        let envFiles: [ComposeValue]
        switch spec["env_file"] {
        case .sequence(let items, _)?: envFiles = items
        case let single?: envFiles = [single]
        case nil: envFiles = []
        }
        for entry in envFiles {
            guard let path = entry.string ?? entry["path"]?.string else {
                throw fail("env_file", entry, "must be a path")
            }
            let required = entry["required"]?.string.map(MountParser.isTrue) ?? true
            let resolved = PathResolver.resolve(path, against: projectDirectory)
            let lines: [EnvFile.Entry]
            do {
                lines = try EnvFile.read(path: resolved, environment: environment)
            } catch let error as DriftError {
                if !required { continue }
                throw fail("env_file", entry, error.message)
            }
            for line in lines {
                if let value = line.value ?? environment[line.key] { result[line.key] = value }
            }
        }
        guard let env = spec["environment"] else { return result }
        let map: [String: ComposeValue]
        if let list = env.sequence {
            map = ComposeMerger.keyedMap(list, separator: "=")
        } else if let m = env.mapping {
            map = m
        } else {
            throw fail("environment", env, "must be a mapping or a list")
        }
        for (key, value) in map {
            if let text = value.string {
                result[key] = text
            } else if let inherited = environment[key] {
                result[key] = inherited
            } else {
                result.removeValue(forKey: key)
            }
        }
        return result
    }

    private func healthcheck(_ value: ComposeValue,
                             _ fail: (String, ComposeValue, String) -> DriftError) throws -> Healthcheck {
        if let disable = value["disable"]?.string, MountParser.isTrue(disable) {
            return Healthcheck(test: ["NONE"])
        }
        var check = Healthcheck(test: nil)
        switch value["test"] {
        case .sequence(let items, _)?: check.test = items.map { $0.string ?? "" }
        case .scalar(let text, _)?: check.test = ["CMD-SHELL", text]
        default: break
        }
        func duration(_ key: String) throws -> Int64? {
            guard let item = value[key] else { return nil }
            guard let text = item.string, let nanos = GoDuration.nanoseconds(text) else {
                throw fail("healthcheck.\(key)", item, "invalid duration \"\(item.string ?? item.shape)\"")
            }
            return nanos
        }
        check.interval = try duration("interval")
        check.timeout = try duration("timeout")
        check.startPeriod = try duration("start_period")
        if let retries = value["retries"] {
            guard let count = retries.string.flatMap(Int.init) else {
                throw fail("healthcheck.retries", retries, "invalid integer \"\(retries.string ?? retries.shape)\"")
            }
            check.retries = count
        }
        return check
    }
}
