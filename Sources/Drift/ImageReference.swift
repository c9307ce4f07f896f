/// Image reference spelling, normalised so `nginx`, `nginx:latest` and
/// `docker.io/library/nginx:latest` compare equal.
enum ImageReference {
    /// Reference with Docker Hub prefixes removed and `:latest` added when untagged.
    static func normalise(_ reference: String) -> String {
        let (repo, tag, digest) = split(reference)
        var result = repo
        if let tag { result += ":" + tag }
        if let digest { return result + "@" + digest }
        return tag == nil ? result + ":latest" : result
    }

    /// Repository (normalised), tag and digest of a reference.
    static func split(_ reference: String) -> (repository: String, tag: String?, digest: String?) {
        var name = Substring(reference)
        var digest: String?
        if let at = name.firstIndex(of: "@") {
            digest = String(name[name.index(after: at)...])
            name = name[..<at]
        }
        var tag: String?
        // A ':' after the last '/' is a tag; before it, a registry port.
        let lastSlash = name.lastIndex(of: "/")
        if let colon = name.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            tag = String(name[name.index(after: colon)...])
            name = name[..<colon]
        }
        for prefix in ["docker.io/", "index.docker.io/", "registry-1.docker.io/"] where name.hasPrefix(prefix) {
            name = name.dropFirst(prefix.count)
        }
        if name.hasPrefix("library/") { name = name.dropFirst("library/".count) }
        return (String(name), tag, digest)
    }
}
