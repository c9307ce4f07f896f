import AuditSupport
import DockerAPI

/// Splits an event's attributes into the part that repeats on every event of an object (labels,
/// image, name: stored once as an attribute set) and the part that changes per event (exec ids, exit
/// codes, signals: stored on the event row). Without the split every health probe would store the
/// container's whole label set again.
///
/// Both parts are canonical JSON bytes (sorted keys, no whitespace), the form `attribute_sets` keeps
/// and the writer's caches compare. The decoder already split what the daemon sent canonically; this
/// does the same for everything else (reconciliation events, escaped or unsorted input).
enum AttributeSplit {
    static func split(_ attributes: Attributes) -> Attributes.CanonicalParts {
        if let parts = attributes.canonicalParts { return parts }
        var stable: [(String, String)] = []
        var extra: [(String, String)] = []
        for pair in attributes.pairs {
            if Attributes.perEventKeys.contains(pair.key) { extra.append((pair.key, pair.value)) } else { stable.append((pair.key, pair.value)) }
        }
        return .init(stable: canonicalJSON(stable), extra: extra.isEmpty ? [] : canonicalJSON(extra))
    }

    /// The canonical text of an attribute map: a JSON object with sorted keys.
    static func canonicalJSON(_ pairs: [(String, String)]) -> [UInt8] {
        var writer = JSONWriter(capacity: 64 * pairs.count)
        writer.object(pairs.sorted { $0.0 < $1.0 })
        return Array(writer.text.utf8)
    }
}
