import AuditSupport

/// One difference between the manifest and what is running.
public struct DriftItem: Codable, Sendable, Equatable, Hashable {
    /// The container an item is about.
    public struct ContainerRef: Codable, Sendable, Equatable, Hashable {
        public var id: String
        /// Name without Docker's leading `/`.
        public var name: String

        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    public var service: String
    public var container: ContainerRef?
    /// Dotted field path such as `memory`, `env.FOO`, `image.digest`, `ports.80/tcp`.
    public var field: String
    /// The manifest's value, nil when the manifest has none; secrets are masked.
    public var expected: String?
    /// The container's value, nil when it has none; secrets are masked.
    public var actual: String?
    public var severity: Severity
    /// `config-drift`, `image-drift`, `orphan` or `missing`.
    public var kind: FindingKind
    /// Set when the difference could not be confirmed, with what would confirm it: an env variable
    /// the manifest does not set "may come from the image; pass --images to confirm".
    public var unverified: String?

    public init(service: String, container: ContainerRef?, field: String, expected: String?,
                actual: String?, severity: Severity, kind: FindingKind, unverified: String? = nil) {
        self.service = service
        self.container = container
        self.field = field
        self.expected = expected
        self.actual = actual
        self.severity = severity
        self.kind = kind
        self.unverified = unverified
    }

    /// The difference as a sentence: "env DEBUG=1 is set in the container, not in the manifest".
    public var sentence: String {
        DriftSentence.describe(service: service, field: field, expected: expected, actual: actual)
            + (unverified.map { " (unverified: \($0))" } ?? "")
    }
}
