/// One service of the manifest, normalised into the terms `docker inspect` uses.
///
/// Optional fields are nil when the manifest does not set them; the checker
/// compares only what the manifest states, plus Docker's defaults where the
/// brief says absent equals default.
public struct ExpectedService: Hashable, Sendable {
    public var name: String
    /// Image reference as written, including any `@sha256:` digest.
    public var image: String?
    /// `sha256:...` when the reference pins a digest.
    public var imageDigest: String?
    public var memoryBytes: Int64?
    public var memoryReservationBytes: Int64?
    /// CPUs as Docker's NanoCpus (`1.5` -> 1500000000).
    public var nanoCPUs: Int64?
    public var cpuShares: Int64?
    public var pidsLimit: Int64?
    /// Variables the container gets from `env_file` and `environment`; a bare
    /// `KEY` absent from the environment is left out, as compose does.
    public var environment: [String: String]
    public var command: [String]?
    public var entrypoint: [String]?
    public var user: String?
    public var workingDir: String?
    public var labels: [String: String]
    public var restart: RestartPolicy
    public var healthcheck: Healthcheck?
    public var ports: Set<PortBinding>
    public var mounts: [MountSpec]
    public var networkMode: String?
    public var privileged: Bool
    public var capAdd: Set<String>
    public var capDrop: Set<String>
    /// `scale` or `deploy.replicas`, 1 by default.
    public var replicas: Int
    /// Services behind a profile are not expected to run unless started explicitly.
    public var profiles: [String]

    public init(name: String) {
        self.name = name
        environment = [:]
        labels = [:]
        restart = .no
        ports = []
        mounts = []
        privileged = false
        capAdd = []
        capDrop = []
        replicas = 1
        profiles = []
    }
}
