import AuditSupport
import HTTPTransport

/// `--notify slack=URL`: a Slack incoming-webhook message, `text` for notifications and phones'
/// lock screens, blocks for the channel: what, where, who and which command, why it is out-of-band,
/// and the status.
struct SlackSink: NotificationSink {
    let configuration: SinkConfiguration

    /// Slack refuses a section's text over 3,000 characters and a field over 2,000; an exec command
    /// can be longer, so every value is cut well below.
    static let maxValueCharacters = 1_500

    func request(for payload: NotificationPayload, body: String, now: Timestamp) -> HTTPRequest {
        let message = Self.message(payload)
        return HTTPRequest(url: configuration.url, method: .post(body: Array(message.utf8), contentType: "application/json"),
                           headers: [(name: "User-Agent", value: NotificationSinks.userAgent)],
                           timeoutSeconds: NotificationSinks.requestTimeoutSeconds)
    }

    static func message(_ payload: NotificationPayload) -> String {
        let f = payload.finding
        let title = "\(Self.emoji(payload.change)) Out-of-band \(f.kind.rawValue) \(payload.change.rawValue): \(payload.place)"
        var fields: [(String, String)] = [
            ("What", f.detail),
            ("Where", payload.place),
            ("Severity", f.severity.rawValue),
            ("Status", payload.change == .withdrawn ? "withdrawn: it no longer stands (a deployment record covers it)"
                : f.status.rawValue + (f.resolution?.deploymentID.map { " by deployment \($0)" } ?? "")),
        ]
        if let command = f.command { fields.append(("Command", "`" + command.replacingOccurrences(of: "`", with: "'") + "`")) }
        if let user = f.user { fields.append(("User", user + (f.privileged == true ? " (privileged)" : "") + (f.tty == true ? " with a tty" : ""))) }
        if let ack = f.ack { fields.append(("Acknowledged", "by \(ack.by): \(ack.reason)")) }
        var w = JSONWriter(capacity: 1024)
        w.beginObject()
        w.field("text", escape(title))
        w.key("blocks")
        w.beginArray()
        section(&w, "*\(escape(title))*")
        w.beginObject()
        w.field("type", "section")
        w.key("fields")
        w.beginArray()
        for (name, value) in fields {
            w.beginObject()
            w.field("type", "mrkdwn")
            w.field("text", "*\(name)*\n\(escape(value))")
            w.field("verbatim", true)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        if let why = f.why { section(&w, "*Why out-of-band*\n\(escape(why))") }
        w.beginObject()
        w.field("type", "context")
        w.key("elements")
        w.beginArray()
        w.beginObject()
        w.field("type", "mrkdwn")
        w.field("verbatim", true)
        w.field("text", escape("finding \(f.id) · \(RFC3339.format(Timestamp(nanoseconds: f.timeNano))) · \(payload.report.command)"))
        w.endObject()
        w.endArray()
        w.endObject()
        w.endArray()
        w.endObject()
        return w.text
    }

    private static func section(_ w: inout JSONWriter, _ text: String) {
        w.beginObject()
        w.field("type", "section")
        w.key("text")
        w.beginObject()
        w.field("type", "mrkdwn")
        w.field("text", text)
        w.field("verbatim", true)
        w.endObject()
        w.endObject()
    }

    /// Slack's three control characters, escaped as it asks, so a container name or command cannot
    /// mention `<!channel>` or forge a link (and `verbatim` keeps Slack from linking or parsing mentions
    /// on its own); cut to `maxValueCharacters` of escaped text, never inside an entity. Cutting before
    /// escaping let a command full of `&&` and `2>&1` grow past Slack's 2,000-character field limit.
    static func escape(_ text: String) -> String {
        var out = ""
        var length = 0
        for character in text {
            let piece: String
            switch character {
            case "&": piece = "&amp;"
            case "<": piece = "&lt;"
            case ">": piece = "&gt;"
            default: piece = String(character)
            }
            guard length + piece.count <= maxValueCharacters else { return out + "…" }
            out += piece
            length += piece.count
        }
        return out
    }

    private static func emoji(_ change: NotificationPayload.Change) -> String {
        switch change {
        case .opened, .stale: return ":rotating_light:"
        case .acknowledged: return ":eyes:"
        case .reconciled, .gone, .withdrawn: return ":white_check_mark:"
        }
    }
}
