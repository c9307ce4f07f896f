/// Parses service `volumes` entries (short and long syntax) into `MountSpec`s.
struct MountParser {
    /// Directory relative bind sources are resolved against.
    let projectDirectory: String
    let projectName: String
    /// Top-level `volumes:` section, to honour `name:` and `external:`.
    let declaredVolumes: [String: ComposeValue]
    let home: String?

    /// The container path an entry mounts on, the merge key for `volumes`.
    static func target(of value: ComposeValue) -> String? {
        if let target = value["target"]?.string { return target }
        guard let text = value.string else { return nil }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 1 ? text : String(parts[1])
    }

    func parse(_ value: ComposeValue) -> MountSpec? {
        if let map = value.mapping {
            guard let target = map["target"]?.string else { return nil }
            let type = map["type"]?.string ?? "volume"
            let readOnly = map["read_only"]?.string.map(Self.isTrue) ?? false
            return MountSpec(type: type, source: source(type: type, map["source"]?.string),
                             target: target, readOnly: readOnly)
        }
        guard let text = value.string else { return nil }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 {
            return MountSpec(type: "volume", source: nil, target: text, readOnly: false)
        }
        let options = parts.count > 2 ? parts[2].split(separator: ",").map(String.init) : []
        let isPath = ["/", ".", "~"].contains { parts[0].hasPrefix($0) }
        let type = isPath ? "bind" : "volume"
        return MountSpec(type: type, source: source(type: type, parts[0]), target: parts[1],
                         readOnly: options.contains("ro"))
    }

    private func source(type: String, _ source: String?) -> String? {
        guard let source, !source.isEmpty else { return nil }
        switch type {
        case "bind":
            var path = source
            if path == "~" || path.hasPrefix("~/"), let home { path = home + path.dropFirst() }
            return PathResolver.resolve(path, against: projectDirectory)
        case "volume":
            let declared = declaredVolumes[source]
            if let name = declared?["name"]?.string { return name }
            if let external = declared?["external"] {
                // Legacy `external: {name: x}` form.
                if let name = external["name"]?.string { return name }
                if Self.isTrue(external.string ?? "") { return source }
            }
            return "\(projectName)_\(source)"
        default:
            return source
        }
    }

    static func isTrue(_ text: String) -> Bool {
        ["true", "yes", "on", "1"].contains(text.lowercased())
    }
}
