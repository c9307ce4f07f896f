import AuditSupport
/// Field-by-field comparison of one running container with its service.
///
/// Only what the manifest states is compared, except where Docker's default
/// is the manifest's default too (resources, restart, privileged, caps).
struct ContainerComparison {
    let service: ExpectedService
    let container: ActualContainer
    let images: ImageFacts
    let projectName: String
    /// Report env variables only the container has even when the image's env is unknown, as unverified.
    var reportUnverified = false

    func items() -> [DriftItem] {
        var items: [DriftItem] = []
        func add(_ field: String, _ expected: String?, _ actual: String?,
                 _ severity: Severity, _ kind: FindingKind = .configDrift, unverified: String? = nil) {
            items.append(DriftItem(service: service.name, container: DriftChecker.ref(container), field: field,
                                   expected: expected, actual: actual, severity: severity, kind: kind, unverified: unverified))
        }
        func compare(_ field: String, _ expected: String?, _ actual: String?, _ severity: Severity) {
            if expected != actual { add(field, expected, actual, severity) }
        }

        for (field, expected, actual) in imageDifferences() { add(field, expected, actual, .high, .imageDrift) }

        compare("memory", bytes(service.memoryBytes), bytes(container.memory), .medium)
        compare("memory_reservation", bytes(service.memoryReservationBytes), bytes(container.memoryReservation), .medium)
        compare("cpus", cpus(service.nanoCPUs), cpus(container.nanoCPUs), .medium)
        compare("cpu_shares", positive(service.cpuShares), positive(container.cpuShares), .medium)
        compare("pids_limit", positive(service.pidsLimit), positive(container.pidsLimit), .medium)

        let imageEnvKnown = images.imageEnv[container.imageID] != nil
        for (key, expected, actual) in environmentDifferences() {
            // Without the image's own env, a variable only the container has may be the image's.
            let unverified = expected == nil && !imageEnvKnown
            add("env.\(key)", SecretMask.value(expected, forKey: key), SecretMask.value(actual, forKey: key), unverified ? .low : .medium,
                unverified: unverified ? "may come from the image; pass --images to confirm" : nil)
        }
        if let command = service.command {
            compare("command", render(command), render(container.cmd ?? []), .medium)
        }
        if let entrypoint = service.entrypoint {
            compare("entrypoint", render(entrypoint), render(container.entrypoint ?? []), .medium)
        }
        if let user = service.user { compare("user", user, nonEmpty(container.user), .medium) }
        if let dir = service.workingDir { compare("working_dir", dir, nonEmpty(container.workingDir), .medium) }
        for (key, expected, actual) in labelDifferences() { add("labels.\(key)", expected, actual, .low) }
        compare("restart", service.restart.description, container.restartPolicy.description, .medium)
        for (field, expected, actual) in healthcheckDifferences() { add(field, expected, actual, .medium) }
        for (key, expected, actual) in portDifferences() { add("ports.\(key)", expected, actual, .medium) }
        for (target, expected, actual) in mountDifferences() { add("mounts.\(target)", expected, actual, .medium) }
        if let (expected, actual) = networkModeDifference() { add("network_mode", expected, actual, .medium) }
        compare("privileged", String(service.privileged), String(container.privileged), .high)
        compare("cap_add", caps(service.capAdd), caps(Set(container.capAdd.map(Capability.normalise))), .high)
        compare("cap_drop", caps(service.capDrop), caps(Set(container.capDrop.map(Capability.normalise))), .high)
        return items
    }

    // MARK: image

    private func imageDifferences() -> [(String, String?, String?)] {
        guard let image = service.image else { return [] }
        var result: [(String, String?, String?)] = []
        if ImageReference.normalise(image) != ImageReference.normalise(container.imageReference) {
            // Another reference altogether: the ID necessarily differs too and says nothing more.
            return [("image", image, container.imageReference)]
        }
        if let digest = service.imageDigest, let repoDigests = images.repoDigests[container.imageID] {
            let repo = ImageReference.split(image).repository
            let pinned = repoDigests.contains { entry in
                let parts = ImageReference.split(entry)
                return parts.digest == digest && parts.repository == repo
            }
            if !pinned {
                result.append(("image.digest", digest, repoDigests.isEmpty ? nil : repoDigests.sorted().joined(separator: ", ")))
            }
        }
        let normalised = ImageReference.normalise(image)
        let current = images.currentImageIDs[image]
            ?? images.currentImageIDs.first { ImageReference.normalise($0.key) == normalised }?.value
        if let current, current != container.imageID {
            result.append(("image.id", current, container.imageID))
        }
        return result
    }

    // MARK: environment and labels

    /// Keys the manifest sets, plus keys only the container has: those the image does not set when its
    /// env is known, all of them when asked to report what cannot be verified.
    private func environmentDifferences() -> [(String, String?, String?)] {
        let actual = container.environment
        let imageKeys = images.imageEnv[container.imageID].map { Set(EnvList.map($0).keys) }
        return keyedDifferences(expected: service.environment, actual: actual) { key in
            imageKeys.map { !$0.contains(key) } ?? reportUnverified
        }
    }

    private func labelDifferences() -> [(String, String?, String?)] {
        let imageLabels = images.imageLabels[container.imageID]
        return keyedDifferences(expected: service.labels, actual: container.labels) { key in
            // Compose's own bookkeeping labels are never in the manifest.
            guard !key.hasPrefix("com.docker.compose."), let imageLabels else { return false }
            return imageLabels[key] == nil
        }
    }

    private func keyedDifferences(expected: [String: String], actual: [String: String],
                                  reportExtra: (String) -> Bool) -> [(String, String?, String?)] {
        var result: [(String, String?, String?)] = []
        for key in expected.keys.sorted() where expected[key] != actual[key] {
            result.append((key, expected[key], actual[key]))
        }
        for key in actual.keys.sorted() where expected[key] == nil && reportExtra(key) {
            result.append((key, nil, actual[key]))
        }
        return result
    }

    // MARK: healthcheck

    private func healthcheckDifferences() -> [(String, String?, String?)] {
        guard let expected = service.healthcheck, !expected.isEmpty else { return [] }
        let actual = container.healthcheck ?? Healthcheck(test: nil)
        var result: [(String, String?, String?)] = []
        if let test = expected.test, test != (actual.test ?? []) {
            result.append(("healthcheck.test", render(test), actual.test.map(render)))
        }
        let durations: [(String, Int64?, Int64?)] = [
            ("interval", expected.interval, actual.interval),
            ("timeout", expected.timeout, actual.timeout),
            ("start_period", expected.startPeriod, actual.startPeriod),
        ]
        for (name, wanted, have) in durations {
            if let wanted, wanted != (have ?? 0) {
                result.append(("healthcheck.\(name)", GoDuration.format(wanted), have.map(GoDuration.format)))
            }
        }
        if let retries = expected.retries, retries != (actual.retries ?? 0) {
            result.append(("healthcheck.retries", String(retries), actual.retries.map(String.init)))
        }
        return result
    }

    // MARK: ports and mounts

    private func portDifferences() -> [(String, String?, String?)] {
        let expected = Dictionary(grouping: service.ports, by: \.containerKey)
        let actual = Dictionary(grouping: container.portBindings, by: \.containerKey)
        let keys = Set(expected.keys).union(actual.keys).sorted { a, b in
            (Int(a.prefix { $0 != "/" }) ?? 0, a) < (Int(b.prefix { $0 != "/" }) ?? 0, b)
        }
        var result: [(String, String?, String?)] = []
        for key in keys {
            let want = Set(expected[key] ?? [])
            let have = Set(actual[key] ?? [])
            if want != have {
                result.append((key, describe(want), describe(have)))
            }
        }
        return result
    }

    private func describe(_ bindings: Set<PortBinding>) -> String? {
        bindings.isEmpty ? nil : bindings.sorted().map(\.description).joined(separator: ", ")
    }

    private func mountDifferences() -> [(String, String?, String?)] {
        var result: [(String, String?, String?)] = []
        let expectedTargets = Set(service.mounts.map(\.target))
        for mount in service.mounts.sorted(by: { $0.target < $1.target }) {
            guard let actual = container.mounts.first(where: { $0.destination == mount.target }) else {
                result.append((mount.target, describe(mount), nil))
                continue
            }
            let actualSource = actual.type == "volume" ? actual.name : actual.source
            let matches = actual.type == mount.type
                && (mount.source == nil || mount.source == actualSource)
                && actual.readWrite == !mount.readOnly
            if !matches {
                // Show the actual source only when the manifest names one, so anonymous volumes don't look different.
                let seen = MountSpec(type: actual.type, source: mount.source == nil ? nil : actualSource,
                                     target: actual.destination, readOnly: !actual.readWrite)
                result.append((mount.target, describe(mount), describe(seen)))
            }
        }
        // Anonymous volumes come from the image's VOLUME lines, which the manifest does not list.
        for actual in container.mounts.sorted(by: { $0.destination < $1.destination })
        where !expectedTargets.contains(actual.destination) && !actual.isAnonymousVolume {
            let seen = MountSpec(type: actual.type, source: actual.type == "volume" ? actual.name : actual.source,
                                 target: actual.destination, readOnly: !actual.readWrite)
            result.append((actual.destination, nil, describe(seen)))
        }
        return result
    }

    private func describe(_ mount: MountSpec) -> String {
        let source = mount.source.map { "\($0) -> " } ?? ""
        return "\(mount.type) \(source)\(mount.target)\(mount.readOnly ? " (ro)" : "")"
    }

    // MARK: network mode

    private func networkModeDifference() -> (String?, String?)? {
        let actual = container.networkMode
        guard let expected = service.networkMode else {
            // Compose attaches containers to project networks by name; only a
            // switch to another mode is drift when the manifest says nothing.
            let special = actual == "host" || actual == "none" || actual.hasPrefix("container:")
            return special ? (nil, actual) : nil
        }
        let same: Bool
        switch expected {
        case "bridge", "default": same = actual == "bridge" || actual == "default"
        case let mode where mode.hasPrefix("service:"): same = actual.hasPrefix("container:")
        default: same = expected == actual
        }
        return same ? nil : (expected, actual)
    }

    // MARK: rendering

    private func bytes(_ value: Int64?) -> String? {
        guard let value, value > 0 else { return nil }
        return ByteSize.format(value)
    }

    private func cpus(_ nanos: Int64?) -> String? {
        guard let nanos, nanos > 0 else { return nil }
        let whole = nanos / 1_000_000_000
        var fraction = String(nanos % 1_000_000_000)
        guard fraction != "0" else { return String(whole) }
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }

    /// Docker uses 0 (and -1 for pids) for "no limit".
    private func positive(_ value: Int64?) -> String? {
        guard let value, value > 0 else { return nil }
        return String(value)
    }

    private func nonEmpty(_ text: String) -> String? {
        text.isEmpty ? nil : text
    }

    private func caps(_ set: Set<String>) -> String? {
        set.isEmpty ? nil : set.sorted().joined(separator: ", ")
    }

    /// A word list as JSON-style text, unambiguous about spaces inside words.
    private func render(_ words: [String]) -> String {
        "[" + words.map(quote).joined(separator: ", ") + "]"
    }

    private func quote(_ word: String) -> String {
        var out = "\""
        for c in word {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out + "\""
    }
}
