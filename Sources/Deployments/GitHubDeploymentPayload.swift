import AuditSupport

/// Maps GitHub's `deployment` and `deployment_status` webhook events to deployment records.
///
/// States: `queued`, `pending` and `in_progress` open the window; `success` closes it as success;
/// `failure` and `error` close it as failure. `inactive` maps to `cancelled`: GitHub sets it when a
/// later deployment to the same environment supersedes this one, or when a deployment is abandoned.
/// After a result it is not news (`DeploymentRecord.merged(with:)` keeps the earlier success or
/// failure and its finish time); without one, it is the only close the window will get.
public enum GitHubDeploymentPayload {
    /// Maps one delivery. `event` is the `X-GitHub-Event` header value; events other than
    /// `deployment` and `deployment_status` are `.ignored(event)`.
    public static func map(event: String, body: [UInt8]) throws(DeploymentInputError) -> DeploymentWebhookOutcome {
        guard event == "deployment" || event == "deployment_status" else { return .ignored(event) }
        let json = try JSONValue.parse(body)
        guard json.object != nil else { throw .malformedJSON("expected an object, found \(json.kindName)") }
        let deployment = try json.requiredObject("deployment")
        let id = try deployment.requiredID("id", in: "deployment")
        let createdAt = try deployment.requiredTime("created_at", in: "deployment")
        let payload = try Payload(deployment["payload"])
        let repository = try json["repository"]?.optionalString("full_name", in: "repository")
        // Fallbacks are read up front: `??` takes a rethrowing autoclosure, which loses the typed error.
        let deploymentCreator = try login(deployment["creator"], "deployment.creator")
        let sender = try login(json["sender"], "sender")

        var record = DeploymentRecord(
            id: "github-deployment-\(id)", source: .github,
            environment: try deployment.optionalString("environment", in: "deployment").nonEmpty,
            host: payload.host, project: payload.project ?? repository.flatMap(ComposeProjectName.fromRepository),
            services: payload.services, images: payload.images,
            commit: try deployment.optionalString("sha", in: "deployment").nonEmpty,
            ref: try deployment.optionalString("ref", in: "deployment").nonEmpty,
            actor: deploymentCreator ?? sender,
            status: .inProgress, startedAt: createdAt
        )
        guard event == "deployment_status" else { return .record(record) }

        let status = try json.requiredObject("deployment_status")
        guard let state = try status.optionalString("state", in: "deployment_status").nonEmpty else {
            throw .missingField("deployment_status.state")
        }
        record.status = try Self.status(state)
        let statusEnvironment = try status.optionalString("environment", in: "deployment_status").nonEmpty
        let statusCreator = try login(status["creator"], "deployment_status.creator")
        let logURL = try status.optionalString("log_url", in: "deployment_status").nonEmpty
        let targetURL = try status.optionalString("target_url", in: "deployment_status").nonEmpty
        record.environment = record.environment ?? statusEnvironment
        record.actor = statusCreator ?? record.actor
        record.url = logURL ?? targetURL
        if state == "inactive" { record.note = "github marked the deployment inactive" }
        if record.status.isFinal {
            let closedAt = status["updated_at"] != nil
                ? try status.requiredTime("updated_at", in: "deployment_status")
                : try status.requiredTime("created_at", in: "deployment_status")
            // A status stamped before its deployment (clock skew between GitHub services) would invert the window.
            record.finishedAt = max(closedAt, createdAt)
        }
        return .record(record)
    }

    private static func status(_ state: String) throws(DeploymentInputError) -> DeploymentRecord.Status {
        switch state {
        case "queued", "pending", "in_progress": return .inProgress
        case "success": return .success
        case "failure", "error": return .failure
        case "inactive": return .cancelled
        default:
            throw .invalidField("deployment_status.state", reason: "\(JSONWriter.quoted(state)) "
                + "(expected queued, pending, in_progress, success, failure, error or inactive)")
        }
    }

    private static func login(_ user: JSONValue?, _ path: String) throws(DeploymentInputError) -> String? {
        try user?.optionalString("login", in: path).nonEmpty
    }

    /// The deployment's free-form `payload`, where a workflow can say what it deploys. GitHub stores it
    /// as given, so it arrives as an object or as a string holding one; any other string is not ours.
    private struct Payload {
        var project, host: String?
        var services: [String]?
        var images: [String: String]?

        init(_ value: JSONValue?) throws(DeploymentInputError) {
            var object = value
            if let text = value?.string {
                object = try? JSONValue.parse(Array(text.utf8))
            }
            guard let object, object.object != nil else { return }
            let path = "deployment.payload"
            project = try object.optionalString("project", in: path).nonEmpty
            host = try object.optionalString("host", in: path).nonEmpty
            services = try object.optionalStrings("services", in: path)
            images = try object.optionalStringMap("images", in: path)
        }
    }
}
