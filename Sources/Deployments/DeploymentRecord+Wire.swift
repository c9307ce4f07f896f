import AuditSupport

/// The JSON form posted to the deployments endpoint, printed by the CLI and stored: snake_case keys,
/// times as RFC 3339 strings with nanoseconds, absent fields omitted.
extension DeploymentRecord {
    /// Parses and validates a posted body. `source` may be omitted, in which case `defaultSource` (the
    /// endpoint's own kind) is used. Empty strings count as absent, because CI templates post
    /// `"commit": "$CI_COMMIT_SHA"` whether or not the variable is set.
    public static func parseWire(_ body: [UInt8], defaultSource: Source) throws(DeploymentInputError) -> DeploymentRecord {
        let json = try JSONValue.parse(body)
        guard json.object != nil else { throw .malformedJSON("expected an object, found \(json.kindName)") }
        var fields = WireFields()
        fields.id = try json.optionalString("id")
        fields.source = try json.optionalString("source")
        fields.environment = try json.optionalString("environment")
        fields.host = try json.optionalString("host")
        fields.project = try json.optionalString("project")
        fields.services = try json.optionalStrings("services")
        fields.images = try json.optionalStringMap("images")
        fields.commit = try json.optionalString("commit")
        fields.ref = try json.optionalString("ref")
        fields.actor = try json.optionalString("actor")
        fields.url = try json.optionalString("url")
        fields.status = try json.optionalString("status")
        fields.startedAt = try json.optionalString("started_at")
        fields.finishedAt = try json.optionalString("finished_at")
        fields.touched = try json.optionalStrings("touched")
        fields.note = try json.optionalString("note")
        fields.commands = try json.optionalStrings("commands")
        fields.steps = try json.optionalSteps("steps")
        return try fields.record(defaultSource: defaultSource)
    }

    /// The record as one line of JSON with the wire keys, in a fixed order; `images` keys sorted so the
    /// same record always prints the same text.
    public func wireJSON() -> String {
        var w = JSONWriter()
        w.beginObject()
        w.field("id", id)
        w.field("source", source.rawValue)
        if let environment { w.field("environment", environment) }
        if let host { w.field("host", host) }
        if let project { w.field("project", project) }
        if let services { w.key("services"); w.strings(services) }
        if let images {
            w.key("images")
            w.object(images.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
        if let commit { w.field("commit", commit) }
        if let ref { w.field("ref", ref) }
        if let actor { w.field("actor", actor) }
        if let url { w.field("url", url) }
        w.field("status", status.rawValue)
        w.field("started_at", RFC3339.format(startedAt))
        if let finishedAt { w.field("finished_at", RFC3339.format(finishedAt)) }
        if let touched { w.key("touched"); w.strings(touched) }
        if let note { w.field("note", note) }
        if let commands { w.key("commands"); w.strings(commands) }
        if let steps {
            w.key("steps")
            w.beginArray()
            for step in steps {
                w.beginObject()
                w.field("command", step.command)
                w.field("started_at", RFC3339.format(step.startedAt))
                if let finishedAt = step.finishedAt { w.field("finished_at", RFC3339.format(finishedAt)) }
                if let touched = step.touched { w.key("touched"); w.strings(touched) }
                w.endObject()
            }
            w.endArray()
        }
        if let receivedAt { w.field("received_at", RFC3339.format(receivedAt)) }
        w.endObject()
        return w.text
    }
}

/// `Codable` uses the wire keys and the same validation as `parseWire`, so a record stored through an
/// encoder reads back identically; a body without `source` decodes as `webhook`.
extension DeploymentRecord: Codable {
    enum CodingKeys: String, CodingKey {
        case id, source, environment, host, project, services, images, commit, ref, actor, url, status
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case touched, note, commands, steps
        case receivedAt = "received_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var fields = WireFields()
        fields.id = try c.decodeIfPresent(String.self, forKey: .id)
        fields.source = try c.decodeIfPresent(String.self, forKey: .source)
        fields.environment = try c.decodeIfPresent(String.self, forKey: .environment)
        fields.host = try c.decodeIfPresent(String.self, forKey: .host)
        fields.project = try c.decodeIfPresent(String.self, forKey: .project)
        fields.services = try c.decodeIfPresent([String].self, forKey: .services)
        fields.images = try c.decodeIfPresent([String: String].self, forKey: .images)
        fields.commit = try c.decodeIfPresent(String.self, forKey: .commit)
        fields.ref = try c.decodeIfPresent(String.self, forKey: .ref)
        fields.actor = try c.decodeIfPresent(String.self, forKey: .actor)
        fields.url = try c.decodeIfPresent(String.self, forKey: .url)
        fields.status = try c.decodeIfPresent(String.self, forKey: .status)
        fields.startedAt = try c.decodeIfPresent(String.self, forKey: .startedAt)
        fields.finishedAt = try c.decodeIfPresent(String.self, forKey: .finishedAt)
        fields.touched = try c.decodeIfPresent([String].self, forKey: .touched)
        fields.note = try c.decodeIfPresent(String.self, forKey: .note)
        fields.commands = try c.decodeIfPresent([String].self, forKey: .commands)
        fields.steps = try c.decodeIfPresent([Step].self, forKey: .steps)
        let received = try c.decodeIfPresent(String.self, forKey: .receivedAt)
        do {
            self = try fields.record(defaultSource: .webhook)
            receivedAt = try received.map { text throws(DeploymentInputError) in
                guard let t = RFC3339.parse(text) else { throw .invalidField("received_at", reason: "not an RFC 3339 time") }
                return t
            }
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description, underlyingError: error))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(source.rawValue, forKey: .source)
        try c.encodeIfPresent(environment, forKey: .environment)
        try c.encodeIfPresent(host, forKey: .host)
        try c.encodeIfPresent(project, forKey: .project)
        try c.encodeIfPresent(services, forKey: .services)
        try c.encodeIfPresent(images, forKey: .images)
        try c.encodeIfPresent(commit, forKey: .commit)
        try c.encodeIfPresent(ref, forKey: .ref)
        try c.encodeIfPresent(actor, forKey: .actor)
        try c.encodeIfPresent(url, forKey: .url)
        try c.encode(status.rawValue, forKey: .status)
        try c.encode(RFC3339.format(startedAt), forKey: .startedAt)
        try c.encodeIfPresent(finishedAt.map(RFC3339.format), forKey: .finishedAt)
        try c.encodeIfPresent(touched, forKey: .touched)
        try c.encodeIfPresent(note, forKey: .note)
        try c.encodeIfPresent(commands, forKey: .commands)
        try c.encodeIfPresent(steps, forKey: .steps)
        try c.encodeIfPresent(receivedAt.map(RFC3339.format), forKey: .receivedAt)
    }
}

extension DeploymentRecord.Step: Codable {
    enum CodingKeys: String, CodingKey {
        case command, touched
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        command = try c.decode(String.self, forKey: .command)
        let started = try c.decode(String.self, forKey: .startedAt)
        guard let startedAt = RFC3339.parse(started) else {
            throw DecodingError.dataCorruptedError(forKey: .startedAt, in: c, debugDescription: "not an RFC 3339 time: \(started)")
        }
        self.startedAt = startedAt
        finishedAt = try c.decodeIfPresent(String.self, forKey: .finishedAt).flatMap(RFC3339.parse)
        touched = try c.decodeIfPresent([String].self, forKey: .touched)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(command, forKey: .command)
        try c.encode(RFC3339.format(startedAt), forKey: .startedAt)
        try c.encodeIfPresent(finishedAt.map(RFC3339.format), forKey: .finishedAt)
        try c.encodeIfPresent(touched, forKey: .touched)
    }
}

extension JSONValue {
    /// `steps`: an array of `{command, started_at, finished_at?, touched?}`.
    func optionalSteps(_ key: String) throws(DeploymentInputError) -> [DeploymentRecord.Step]? {
        guard let value = self[key] else { return nil }
        guard let items = value.array else { throw .invalidField(key, reason: "expected an array of steps, found \(value.kindName)") }
        var steps: [DeploymentRecord.Step] = []
        for (i, item) in items.enumerated() {
            let path = "\(key)[\(i)]"
            guard item.object != nil else { throw .invalidField(path, reason: "expected an object, found \(item.kindName)") }
            guard let command = try item.optionalString("command", in: path).nonEmpty else { throw .missingField(path + ".command") }
            let started = try item.requiredTime("started_at", in: path)
            var finished: Timestamp?
            if let text = try item.optionalString("finished_at", in: path).nonEmpty {
                guard let t = RFC3339.parse(text) else { throw .invalidField(path + ".finished_at", reason: "not an RFC 3339 time") }
                finished = t
            }
            steps.append(DeploymentRecord.Step(command: command, startedAt: started, finishedAt: finished,
                                               touched: try item.optionalStrings("touched", in: path)))
        }
        return steps
    }
}

/// The wire fields before validation, shared by `parseWire` and `Codable`.
private struct WireFields {
    var id, source, environment, host, project, commit, ref, actor, url, status, startedAt, finishedAt, note: String?
    var services, touched, commands: [String]?
    var images: [String: String]?
    var steps: [DeploymentRecord.Step]?

    func record(defaultSource: DeploymentRecord.Source) throws(DeploymentInputError) -> DeploymentRecord {
        guard let id = id.nonEmpty else { throw .missingField("id") }
        let source: DeploymentRecord.Source
        if let text = self.source.nonEmpty {
            guard let parsed = DeploymentRecord.Source(rawValue: text) else {
                throw .invalidField("source", reason: "\(JSONWriter.quoted(text)) (use webhook, github, gitlab, cli or log-import)")
            }
            source = parsed
        } else {
            source = defaultSource
        }
        guard let statusText = status.nonEmpty else { throw .missingField("status") }
        guard let status = DeploymentRecord.Status(rawValue: statusText) else {
            throw .invalidField("status", reason: "\(JSONWriter.quoted(statusText)) (use in_progress, success, failure or cancelled)")
        }
        guard let startedText = startedAt.nonEmpty else { throw .missingField("started_at") }
        guard let started = RFC3339.parse(startedText) else {
            throw .invalidField("started_at", reason: "not an RFC 3339 time")
        }
        var finished: Timestamp?
        if let finishedText = finishedAt.nonEmpty {
            guard let parsed = RFC3339.parse(finishedText) else {
                throw .invalidField("finished_at", reason: "not an RFC 3339 time")
            }
            guard parsed >= started else { throw .invalidField("finished_at", reason: "before started_at") }
            finished = parsed
        } else if status.isFinal {
            throw .missingField("finished_at (required once status is \(status.rawValue))")
        }
        return DeploymentRecord(
            id: id, source: source, environment: environment.nonEmpty, host: host.nonEmpty, project: project.nonEmpty,
            services: services, images: images, commit: commit.nonEmpty, ref: ref.nonEmpty, actor: actor.nonEmpty,
            url: url.nonEmpty, status: status, startedAt: started, finishedAt: finished, touched: touched, note: note.nonEmpty,
            commands: commands, steps: steps
        )
    }
}

extension JSONWriter {
    mutating func strings(_ items: [String]) {
        beginArray()
        for item in items { string(item) }
        endArray()
    }
}
