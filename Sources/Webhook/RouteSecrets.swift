/// One secret per route. GitLab sends its token in clear text (`X-Gitlab-Token`), so anyone who can
/// read GitLab's hook settings or a proxy log holds it; with one secret for every route, they could
/// sign `/v1/deployments` too. A route without its secret is not served.
public struct RouteSecrets: Sendable, Equatable {
    /// The Standard Webhooks key for `/v1/deployments` (`whsec_<base64>` or plain text).
    public var deployments: [UInt8]?
    /// The HMAC key GitHub signs `/v1/webhooks/github` deliveries with.
    public var github: [UInt8]?
    /// The token GitLab sends to `/v1/webhooks/gitlab`.
    public var gitlab: [UInt8]?

    public init(deployments: [UInt8]? = nil, github: [UInt8]? = nil, gitlab: [UInt8]? = nil) {
        self.deployments = deployments
        self.github = github
        self.gitlab = gitlab
    }

    /// True when no route has a secret.
    public var isEmpty: Bool { deployments == nil && github == nil && gitlab == nil }

    /// The configured secrets with the option that sets each, for messages and logs.
    public var named: [(option: String, secret: [UInt8])] {
        [("--webhook-secret-file", deployments), ("--github-secret-file", github), ("--gitlab-token-file", gitlab)]
            .compactMap { option, secret in secret.map { (option, $0) } }
    }
}
