/// Compose project naming: `-p` > top-level `name:` > `COMPOSE_PROJECT_NAME` >
/// basename of the project directory.
enum ProjectName {
    static func resolve(explicit: String?, topLevel: String?, environment: [String: String],
                        projectDirectory: String) -> String {
        let candidates = [explicit, topLevel, environment["COMPOSE_PROJECT_NAME"],
                          PathResolver.basename(projectDirectory)]
        for candidate in candidates {
            if let candidate, !normalise(candidate).isEmpty { return normalise(candidate) }
        }
        return "default"
    }

    /// Lowercase, keep only `[a-z0-9_-]`, and drop leading `_`/`-` as compose v2 does.
    static func normalise(_ name: String) -> String {
        let kept = name.lowercased().filter { c in
            c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-")
        }
        return String(kept.drop { $0 == "_" || $0 == "-" })
    }
}
