/// The loaded manifest: merged, interpolated and normalised.
public struct ComposeProject: Hashable, Sendable {
    /// Normalised project name, as in the `com.docker.compose.project` label.
    public var name: String
    /// Services keyed by service name.
    public var services: [String: ExpectedService]
    /// Rules from the top-level `x-audit-ignore` list.
    public var ignore: [IgnoreRule]
    /// The compose files loaded, in merge order.
    public var files: [String]

    public init(name: String, services: [String: ExpectedService], ignore: [IgnoreRule], files: [String]) {
        self.name = name
        self.services = services
        self.ignore = ignore
        self.files = files
    }
}
