/// An exec as `GET /exec/{id}/json` describes it. The daemon fills these from the exec's own config,
/// unlike event attributes, which a container label can shadow.
public struct ExecDetails: Sendable, Equatable {
    public var execID: String
    /// `ProcessConfig.user`; empty means the container's user.
    public var user: String
    public var privileged: Bool
    public var tty: Bool
    public var entrypoint: String
    public var arguments: [String]

    public init(execID: String, user: String, privileged: Bool, tty: Bool, entrypoint: String, arguments: [String]) {
        self.execID = execID
        self.user = user
        self.privileged = privileged
        self.tty = tty
        self.entrypoint = entrypoint
        self.arguments = arguments
    }

    /// The command line, as the daemon would print it after `exec_start: `.
    public var commandLine: String { ([entrypoint] + arguments).joined(separator: " ") }
}
