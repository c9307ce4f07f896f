/// The single error type of the Drift library.
///
/// Messages are lowercase and name the place the problem came from, for example
/// `compose file docker-compose.yml line 12: required variable DB_PASSWORD is missing a value: must be set`.
public struct DriftError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The full human-readable message.
    public let message: String

    /// Creates an error carrying `message` as is.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    /// An error located in a compose file; `line` is 1-based and omitted when unknown.
    static func compose(file: String, line: Int?, _ problem: String) -> DriftError {
        if let line {
            return DriftError("compose file \(file) line \(line): \(problem)")
        }
        return DriftError("compose file \(file): \(problem)")
    }

    /// An error located in a compose value, using the value's origin when it has one.
    static func compose(at origin: ValueOrigin?, _ problem: String) -> DriftError {
        guard let origin else { return DriftError(problem) }
        return compose(file: origin.file, line: origin.line, problem)
    }
}
