/// What went wrong with the fleet's PostgreSQL, said with the URL (password masked) and what to do.
public struct FleetError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// The `--forward` URL or the password file cannot be used as written.
        case invalidURL
        /// No answer: the server is down, not listening there, or the network is cut.
        case unreachable
        /// The server refused the user or the password.
        case authentication
        /// The database named in the URL does not exist.
        case missingDatabase
        /// The database's fleet schema is newer than this binary.
        case schemaNewer
        /// Anything else the server or the connection reported.
        case server
    }

    public var kind: Kind
    public var message: String
    public var description: String { message }

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    static func invalidURL(_ shown: String, _ problem: String) -> FleetError {
        FleetError(.invalidURL, "invalid PostgreSQL URL \(shown): \(problem); expected postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=disable|prefer|require|verify-ca|verify-full[&sslrootcert=FILE]] (a socket directory: ?host=/path)")
    }
}
