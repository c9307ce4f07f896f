/// Why a deployment body, webhook payload or CI log was rejected. The description is the message an
/// HTTP 400 or the CLI shows, lowercase and naming the field or the missing piece.
public enum DeploymentInputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A required field is absent; the associated text is the field name, with an optional reason
    /// such as `finished_at (required once status is success)`.
    case missingField(String)
    /// A field is present but unusable: its name and what is wrong with it.
    case invalidField(String, reason: String)
    /// The body is not JSON, or not the JSON shape expected.
    case malformedJSON(String)
    /// A CI log contains none of the commands that deploy.
    case noDeploymentCommand
    /// A CI log has deployment commands but nothing to date them by.
    case noTimestamps(String)

    public var description: String {
        switch self {
        case .missingField(let field):
            return "missing field: \(field)"
        case .invalidField(let field, let reason):
            return "invalid field \(field): \(reason)"
        case .malformedJSON(let detail):
            return "malformed JSON: \(detail)"
        case .noDeploymentCommand:
            return "no deployment command found: looked for docker compose up/down/restart, docker-compose …, "
                + "docker stack deploy, docker service update, docker run, docker rm"
        case .noTimestamps(let detail):
            return "no timestamps in the log: \(detail)"
        }
    }
}
