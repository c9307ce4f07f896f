/// A restart policy as Docker keeps it in `HostConfig.RestartPolicy`.
public struct RestartPolicy: Hashable, Sendable, CustomStringConvertible {
    /// `no`, `always`, `on-failure` or `unless-stopped`; Docker's empty name is `no`.
    public var name: String
    /// Only meaningful for `on-failure`.
    public var maximumRetryCount: Int

    public init(name: String, maximumRetryCount: Int = 0) {
        self.name = name.isEmpty ? "no" : name
        self.maximumRetryCount = self.name == "on-failure" ? maximumRetryCount : 0
    }

    /// Parses compose's `restart:` value, `on-failure[:N]` included.
    public init?(compose text: String) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard let name = parts.first, ["no", "always", "on-failure", "unless-stopped"].contains(name) else { return nil }
        var count = 0
        if parts.count == 2 {
            guard name == "on-failure", let n = Int(parts[1]), n >= 0 else { return nil }
            count = n
        }
        self.init(name: name, maximumRetryCount: count)
    }

    /// Compose's default, used when the manifest says nothing.
    public static let no = RestartPolicy(name: "no")

    public var description: String {
        name == "on-failure" && maximumRetryCount > 0 ? "on-failure:\(maximumRetryCount)" : name
    }
}
