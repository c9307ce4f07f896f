/// Compares the manifest with the containers that run it.
public enum DriftChecker {
    /// Every difference between `expected` and `actual`, in a stable order
    /// (services by name, containers by number, fields in a fixed order).
    ///
    /// - Parameters:
    ///   - expected: the loaded manifest; its `x-audit-ignore` rules apply too.
    ///   - actual: inspected containers; those of other projects are ignored.
    ///   - images: image facts, or `.none` offline.
    ///   - ignore: extra rules (from the command line, say).
    ///   - reportUnverified: also report env variables only the container has when its image's env is
    ///     unknown, marked unverified (offline without `--images`); they may be the image's own.
    public static func compare(expected: ComposeProject, actual: [ActualContainer],
                               images: ImageFacts = .none, ignore: [IgnoreRule] = [], reportUnverified: Bool = false) -> [DriftItem] {
        let rules = expected.ignore + ignore
        let containers = actual.filter { $0.project == expected.name && !$0.isOneOff }
        var items: [DriftItem] = []
        for name in expected.services.keys.sorted() {
            let service = expected.services[name]!
            let own = containers.filter { $0.service == name }
            let running = own.filter(\.running).sorted {
                ($0.containerNumber ?? 0, $0.name) < ($1.containerNumber ?? 0, $1.name)
            }
            if running.isEmpty {
                // Profiled services only run when asked for, so their absence is normal.
                if service.replicas > 0 && service.profiles.isEmpty {
                    let stopped = own.first
                    items.append(DriftItem(service: name, container: stopped.map(ref), field: "container",
                                           expected: "running", actual: stopped?.status,
                                           severity: .medium, kind: .missing))
                }
            } else if running.count != service.replicas {
                items.append(DriftItem(service: name, container: nil, field: "scale",
                                       expected: String(service.replicas), actual: String(running.count),
                                       severity: .medium, kind: .configDrift))
            }
            for container in running {
                let comparison = ContainerComparison(service: service, container: container, images: images,
                                                     projectName: expected.name, reportUnverified: reportUnverified)
                items += comparison.items()
            }
        }
        let orphans = containers.filter { $0.service != nil && expected.services[$0.service!] == nil }
            .sorted { ($0.service!, $0.containerNumber ?? 0, $0.name) < ($1.service!, $1.containerNumber ?? 0, $1.name) }
        for orphan in orphans {
            items.append(DriftItem(service: orphan.service!, container: ref(orphan), field: "service",
                                   expected: nil, actual: orphan.service, severity: .high, kind: .orphan))
        }
        return items.filter { item in !rules.contains { $0.matches(item) } }
    }

    static func ref(_ container: ActualContainer) -> DriftItem.ContainerRef {
        DriftItem.ContainerRef(id: container.id, name: container.name)
    }
}
