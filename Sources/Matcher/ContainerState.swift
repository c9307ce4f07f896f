/// What the matcher needs from one container snapshot: identity, image, state and the configuration
/// that tells a health probe or a daemon restart apart from a person.
public struct ContainerState: Sendable, Equatable {
    public var containerID: String
    public var takenNs: Int64
    public var name: String
    public var imageID: String
    /// `Config.Image`, the reference as typed.
    public var imageRef: String?
    public var startedAtNs: Int64?
    public var running: Bool
    /// `Config.Healthcheck.Test`, e.g. `["CMD-SHELL", "curl -f localhost"]`.
    public var healthcheckTest: [String]?
    /// `Config.Shell`; nil means `/bin/sh -c`.
    public var shell: [String]?
    public var labels: [String: String]
    /// `no`, `always`, `unless-stopped`, `on-failure[:N]`; nil when unknown.
    public var restartPolicy: String?
    /// `Config.User`; nil or empty runs as the image's user, root unless the image says otherwise.
    public var user: String?

    public init(
        containerID: String, takenNs: Int64, name: String, imageID: String, imageRef: String? = nil,
        startedAtNs: Int64? = nil, running: Bool = true, healthcheckTest: [String]? = nil, shell: [String]? = nil,
        labels: [String: String] = [:], restartPolicy: String? = nil, user: String? = nil
    ) {
        self.containerID = containerID
        self.takenNs = takenNs
        self.name = name
        self.imageID = imageID
        self.imageRef = imageRef
        self.startedAtNs = startedAtNs
        self.running = running
        self.healthcheckTest = healthcheckTest
        self.shell = shell
        self.labels = labels
        self.restartPolicy = restartPolicy
        self.user = user
    }

    /// The command line the daemon's health probes run, as it appears after `exec_start: `; nil when
    /// the container has no health check.
    public var probeCommand: String? {
        guard let test = healthcheckTest, let form = test.first else { return nil }
        switch form {
        case "CMD" where test.count > 1:
            return test.dropFirst().joined(separator: " ")
        case "CMD-SHELL" where test.count > 1:
            return ((shell ?? ["/bin/sh", "-c"]) + [test[1]]).joined(separator: " ")
        default:
            return nil
        }
    }

    /// True when the daemon restarts this container by itself after an exit or its own restart.
    public var hasRestartPolicy: Bool {
        guard let restartPolicy else { return false }
        return !restartPolicy.isEmpty && restartPolicy != "no"
    }
}
