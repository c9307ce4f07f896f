/// Merges compose files following the Compose Specification's "Merge" section:
/// mappings merge key by key, scalars are replaced, sequences are appended,
/// with the spec's exceptions (shell commands replaced, unique resources merged
/// by key, `!reset` and `!override`).
enum ComposeMerger {
    /// Service keys whose sequence value is replaced, not appended ("Shell commands").
    private static let replacedSequences: Set<String> = ["command", "entrypoint"]

    /// Service keys written as `KEY=VALUE` lists or maps, merged by key once
    /// normalised to a map.
    private static let keyedLists: Set<String> = [
        "environment", "labels", "extra_hosts", "sysctls", "annotations",
    ]

    /// Folds `overlay` onto `base`; nil means the value was removed with `!reset`.
    static func merge(_ base: ComposeValue?, _ overlay: ComposeValue) -> ComposeValue? {
        mergeValue(base, overlay, path: [])
    }

    private static func mergeValue(_ base: ComposeValue?, _ overlay: ComposeValue, path: [String]) -> ComposeValue? {
        switch overlay {
        case .reset:
            return nil
        case .replace(let inner):
            return mergeValue(nil, inner, path: path)
        default:
            break
        }
        let overlay = prepare(overlay, path: path)
        guard let base else { return strip(overlay) }
        let prepared = prepare(base, path: path)

        if isServiceKey(path, "logging"),
           let a = prepared["driver"]?.string, let b = overlay["driver"]?.string, a != b {
            // A different logging driver makes the old options meaningless.
            return strip(overlay)
        }
        if isServiceKey(path, "test", parent: "healthcheck") || replacedSequences.contains(serviceKey(path) ?? "") {
            return strip(overlay)
        }
        switch (prepared, overlay) {
        case (.mapping(let a, let origin), .mapping(let b, _)):
            var result = a
            for (key, value) in b {
                result[key] = mergeValue(a[key], value, path: path + [key])
            }
            return .mapping(result, origin)
        case (.sequence(let a, let origin), .sequence(let b, _)):
            if let key = serviceKey(path), let identity = uniqueKey(for: key) {
                return .sequence(mergeUnique(a, b, path: path, identity: identity), origin)
            }
            // Appending an entry already present would only duplicate it.
            var result = a
            var seen = Set(a.map(\.shape))
            for item in b {
                guard let item = strip(item) else { continue }
                if seen.insert(item.shape).inserted { result.append(item) }
            }
            return .sequence(result, origin)
        default:
            return strip(overlay)
        }
    }

    /// Applies `!reset`/`!override` markers left inside a value that had nothing to merge with.
    private static func strip(_ value: ComposeValue) -> ComposeValue? {
        switch value {
        case .reset: return nil
        case .replace(let inner): return strip(inner)
        case .mapping(let m, let origin):
            var result: [String: ComposeValue] = [:]
            for (key, item) in m {
                if let item = strip(item) { result[key] = item }
            }
            return .mapping(result, origin)
        case .sequence(let items, let origin):
            return .sequence(items.compactMap(strip), origin)
        default:
            return value
        }
    }

    /// Rewrites list forms into the map forms they merge as.
    private static func prepare(_ value: ComposeValue, path: [String]) -> ComposeValue {
        guard let key = serviceKey(path) ?? nestedListKey(path) else { return value }
        if keyedLists.contains(key), case .sequence(let items, let origin) = value {
            return .mapping(keyedMap(items, separator: key == "extra_hosts" ? ":" : "="), origin)
        }
        if key == "build", case .scalar(let context, let origin) = value {
            return .mapping(["context": .scalar(context, origin)], origin)
        }
        if (key == "networks" || key == "depends_on"), case .sequence(let items, let origin) = value {
            var map: [String: ComposeValue] = [:]
            for item in items { if let name = item.string { map[name] = .null(item.origin) } }
            return .mapping(map, origin)
        }
        return value
    }

    /// `build.args` and `build.labels` are keyed lists too.
    private static func nestedListKey(_ path: [String]) -> String? {
        guard path.count == 4, path[0] == "services", path[2] == "build" else { return nil }
        return path[3] == "args" ? "environment" : path[3] == "labels" ? "labels" : nil
    }

    static func keyedMap(_ items: [ComposeValue], separator: Character) -> [String: ComposeValue] {
        var map: [String: ComposeValue] = [:]
        for item in items {
            guard let text = item.string else { continue }
            // extra_hosts also accepts `host=ip`; IPv6 addresses contain ':' so split at the first one.
            let sep: Character = separator == ":" && text.contains("=") ? "=" : separator
            if let index = text.firstIndex(of: sep) {
                map[String(text[..<index])] = .scalar(String(text[text.index(after: index)...]), item.origin)
            } else {
                map[text] = .null(item.origin)
            }
        }
        return map
    }

    /// The key under `services.<name>` that `path` points at, if any.
    private static func serviceKey(_ path: [String]) -> String? {
        path.count == 3 && path[0] == "services" ? path[2] : nil
    }

    private static func isServiceKey(_ path: [String], _ key: String, parent: String? = nil) -> Bool {
        if let parent {
            return path.count == 4 && path[0] == "services" && path[2] == parent && path[3] == key
        }
        return serviceKey(path) == key
    }

    /// The Compose Specification's "Unique resources" table.
    private static func uniqueKey(for key: String) -> ((ComposeValue) -> String)? {
        switch key {
        case "volumes": return { MountParser.target(of: $0) ?? $0.shape }
        case "secrets", "configs":
            return { item in item["target"]?.string ?? item["source"]?.string ?? item.string ?? item.shape }
        case "ports": return { PortParser.uniqueKey(of: $0) }
        default: return nil
        }
    }

    private static func mergeUnique(_ a: [ComposeValue], _ b: [ComposeValue], path: [String],
                                    identity: (ComposeValue) -> String) -> [ComposeValue] {
        var result = a
        for item in b {
            guard let item = strip(item) else { continue }
            let key = identity(item)
            if let index = result.firstIndex(where: { identity($0) == key }) {
                if case .mapping = result[index], case .mapping = item {
                    result[index] = mergeValue(result[index], item, path: path + [key]) ?? item
                } else {
                    result[index] = item
                }
            } else {
                result.append(item)
            }
        }
        return result
    }
}
