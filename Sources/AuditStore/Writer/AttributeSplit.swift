import AuditSupport
import DockerAPI

/// Splits an event's attributes into the part that repeats on every event of an object (labels,
/// image, name: stored once as an attribute set) and the part that changes per event (exec ids, exit
/// codes, signals: stored on the event row). Without the split every health probe would store the
/// container's whole label set again.
enum AttributeSplit {
    static let perEventKeys: Set<String> = [
        "execID", "exitCode", "signal", "oldName", "execDuration",
        "container", "destination", "propagation", "read/write", "containerExitCode", "changes",
    ]

    static func split(_ attributes: Attributes) -> (stable: Attributes, extra: [Attributes.Pair]) {
        var stable: [Attributes.Pair] = []
        var extra: [Attributes.Pair] = []
        stable.reserveCapacity(attributes.count)
        for pair in attributes.pairs {
            if perEventKeys.contains(pair.key) { extra.append(pair) } else { stable.append(pair) }
        }
        return (Attributes(stable), extra)
    }

    /// The canonical text of an attribute set: a JSON object with sorted keys.
    static func canonicalJSON(_ pairs: [Attributes.Pair]) -> String {
        var writer = JSONWriter(capacity: 64 * pairs.count)
        let sorted = isSorted(pairs) ? pairs : pairs.sorted { $0.key < $1.key }
        writer.object(sorted.map { ($0.key, $0.value) })
        return writer.text
    }

    private static func isSorted(_ pairs: [Attributes.Pair]) -> Bool {
        var previous: String?
        for pair in pairs {
            if let previous, previous > pair.key { return false }
            previous = pair.key
        }
        return true
    }
}
