import AuditSupport

/// Maps GitLab's deployment events (`object_kind: "deployment"`) to deployment records.
///
/// `running` opens the window at `status_changed_at`; `success`, `failed` and `canceled` close it
/// there. A final event with no `running` before it (the hook was added mid-deployment, or a delivery
/// was lost) starts and ends at the same instant, and merging keeps an earlier start when there is one.
public enum GitLabDeploymentHook {
    /// Maps one delivery. Other object kinds are `.ignored(kind)`; the deployment statuses that open
    /// no window (`created`, `blocked`, `skipped`) are `.ignored("deployment status …")`.
    public static func map(body: [UInt8]) throws(DeploymentInputError) -> DeploymentWebhookOutcome {
        let json = try JSONValue.parse(body)
        guard json.object != nil else { throw .malformedJSON("expected an object, found \(json.kindName)") }
        guard let kind = try json.optionalString("object_kind").nonEmpty else { throw .missingField("object_kind") }
        guard kind == "deployment" else { return .ignored(kind) }

        guard let statusText = try json.optionalString("status").nonEmpty else { throw .missingField("status") }
        let status: DeploymentRecord.Status
        switch statusText {
        case "running": status = .inProgress
        case "success": status = .success
        case "failed": status = .failure
        case "canceled": status = .cancelled
        case "created", "blocked", "skipped": return .ignored("deployment status \(statusText)")
        default:
            throw .invalidField("status", reason: "\(JSONWriter.quoted(statusText)) "
                + "(expected running, success, failed or canceled)")
        }
        let id = try json.requiredID("deployment_id")
        let changedAt = try json.requiredTime("status_changed_at")
        let projectPath = try json["project"]?.optionalString("path_with_namespace", in: "project")
        // `short_sha` is abbreviated; the commit URL ends in the full one.
        let commitURL = try json.optionalString("commit_url").nonEmpty
        let fullSHA = commitURL.flatMap { $0.split(separator: "/").last.map(String.init) }
        let shortSHA = try json.optionalString("short_sha").nonEmpty

        return .record(DeploymentRecord(
            id: "gitlab-deployment-\(id)", source: .gitlab,
            environment: try json.optionalString("environment").nonEmpty,
            project: projectPath.flatMap(ComposeProjectName.fromRepository),
            commit: fullSHA ?? shortSHA,
            ref: try json.optionalString("ref").nonEmpty,
            actor: try json["user"]?.optionalString("username", in: "user").nonEmpty,
            url: try json.optionalString("deployable_url").nonEmpty,
            status: status, startedAt: changedAt, finishedAt: status.isFinal ? changedAt : nil
        ))
    }
}
