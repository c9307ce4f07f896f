/// Compose's default project name is its working directory's name, and CI checks a repository out
/// into a directory named after it; so without an explicit project a provider's repository name is
/// the best guess at the compose project it deploys.
enum ComposeProjectName {
    /// `group/Shop.Web` → `shopweb`, normalized the way compose does (lowercase, only `a-z0-9_-`, no
    /// leading `_` or `-`); nil when nothing is left.
    static func fromRepository(_ path: String) -> String? {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        let kept = base.lowercased().unicodeScalars.filter { scalar in
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-"
        }
        let name = String(String.UnicodeScalarView(kept)).drop { $0 == "_" || $0 == "-" }
        return name.isEmpty ? nil : String(name)
    }
}
