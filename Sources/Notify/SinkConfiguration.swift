import Crypto
import Deployments

/// One `--notify KIND=URL`: where notifications go and in which shape.
public struct SinkConfiguration: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// A JSON body (the README documents it) signed with Standard Webhooks.
        case webhook
        /// A Slack incoming webhook: text plus blocks.
        case slack
        /// Prometheus Alertmanager's `POST /api/v2/alerts`.
        case alertmanager
    }

    public var kind: Kind
    public var url: String
    /// The name deliveries are stored and counted under: the kind and a digest of the endpoint, since a
    /// URL may be a secret (a Slack webhook's path is its credential) and must not reach `/metrics`.
    /// Two spellings of one endpoint get one name, so `validate()` refuses the pair.
    public var name: String

    public init(kind: Kind, url: String) {
        self.kind = kind
        self.url = url
        let digest = WebhookSignature.bodyDigest(Array(Self.endpoint(kind, url).utf8))
        name = "\(kind.rawValue):\(digest.prefix(8))"
    }

    /// Where a sink of `kind` given `url` posts, spelled one way: for Alertmanager its alerts URL
    /// (`http://am:9093`, `http://am:9093/` and `http://am:9093/api/v2/alerts` are one), for the others
    /// the URL without a trailing slash.
    static func endpoint(_ kind: Kind, _ url: String) -> String {
        var trimmed = Substring(url)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard kind == .alertmanager else { return String(trimmed) }
        return trimmed.hasSuffix("/api/v2/alerts") ? String(trimmed) : trimmed + "/api/v2/alerts"
    }

    /// Parses `webhook=https://…`; the message says what is accepted. It never repeats what it was
    /// given: a mistyped entry may be a whole Slack URL, whose path is the credential.
    public static func parse(_ text: String) throws(NotifyConfigurationError) -> SinkConfiguration {
        guard let equals = text.firstIndex(of: "=") else {
            throw NotifyConfigurationError("a sink is not KIND=URL (webhook=URL, slack=URL or alertmanager=URL)")
        }
        let name = String(text[..<equals])
        let url = String(text[text.index(after: equals)...])
        guard let kind = Kind(rawValue: name) else {
            let shown = name.count <= 20 && name.allSatisfy { $0.isLetter || $0 == "-" } ? " \"\(name)\"" : ""
            throw NotifyConfigurationError("unknown sink kind\(shown) (before the first =); use webhook, slack or alertmanager")
        }
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.utf8.count > 8, !url.contains(where: { $0.isWhitespace }) else {
            throw NotifyConfigurationError("\(kind.rawValue) sink URL must start with http:// or https:// and hold no spaces")
        }
        return SinkConfiguration(kind: kind, url: url)
    }

    /// Never the URL, which may be a credential.
    public var description: String { "\(name) (\(origin))" }

    /// The URL without credentials or path, for logs: `https://hooks.slack.com`.
    public var origin: String {
        guard let scheme = url.range(of: "://") else { return kind.rawValue }
        let rest = url[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@").last.map(String.init) ?? ""
        return String(url[..<scheme.upperBound]) + host
    }
}

/// A notifier setting `audit collect` cannot start with.
public struct NotifyConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
