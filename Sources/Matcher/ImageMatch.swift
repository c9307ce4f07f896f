/// Whether a container runs the image a deployment declared.
enum ImageMatch {
    /// A digest pin (`repo@sha256:…`) matches a reference or image id holding that digest; otherwise
    /// references are compared after Docker's defaults (`docker.io/`, `library/`, `:latest`).
    static func matches(declared: String, reference: String?, imageID: String?) -> Bool {
        if let at = declared.firstIndex(of: "@") {
            let digest = String(declared[declared.index(after: at)...])
            return imageID == digest || reference?.hasSuffix("@" + digest) == true
        }
        guard let reference else { return false }
        return normalised(reference) == normalised(declared)
    }

    static func normalised(_ reference: String) -> String {
        var name = Substring(reference)
        if name.hasPrefix("docker.io/") { name = name.dropFirst("docker.io/".count) }
        if name.hasPrefix("library/") { name = name.dropFirst("library/".count) }
        let lastComponent = name.split(separator: "/").last ?? name
        if !name.contains("@"), !lastComponent.contains(":") { return name + ":latest" }
        return String(name)
    }
}
