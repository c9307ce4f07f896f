/// What a provider's webhook means for the deployment log.
public enum DeploymentWebhookOutcome: Sendable, Equatable {
    /// A deployment to record (or to merge into the record with the same id).
    case record(DeploymentRecord)
    /// A delivery that carries no deployment window, such as GitHub's `push` or `ping` (the event name),
    /// or a GitLab deployment still `created` (`deployment status created`). Answered with 2xx so the
    /// provider does not mark the hook as failing.
    case ignored(String)
}
