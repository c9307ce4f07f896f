/// This host in a fleet (migration 009): an id made once with the store, and a name that may change.
public struct HostIdentity: Sendable, Equatable {
    /// A random UUID, the same for the life of the store; every forwarded row carries it.
    public var hostID: String
    /// `--host-name`, default the machine's hostname.
    public var name: String

    public init(hostID: String, name: String) {
        self.hostID = hostID
        self.name = name
    }
}
