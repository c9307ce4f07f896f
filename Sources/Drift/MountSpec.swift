/// A mount as the container should have it, comparable with `docker inspect`'s `Mounts`.
public struct MountSpec: Hashable, Sendable, CustomStringConvertible {
    /// `bind`, `volume` or `tmpfs`.
    public var type: String
    /// Absolute host path for binds, the full volume name (project-prefixed) for
    /// named volumes, nil when unknown in advance (anonymous volumes, tmpfs).
    public var source: String?
    public var target: String
    public var readOnly: Bool

    public init(type: String, source: String?, target: String, readOnly: Bool) {
        self.type = type
        self.source = source
        self.target = target
        self.readOnly = readOnly
    }

    public var description: String {
        "\(type):\(source ?? "")->\(target)\(readOnly ? ":ro" : "")"
    }
}
