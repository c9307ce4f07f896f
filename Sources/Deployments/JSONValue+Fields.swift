import AuditSupport

extension Optional where Wrapped == String {
    /// The string unless it is nil or empty.
    var nonEmpty: String? {
        guard let s = self, !s.isEmpty else { return nil }
        return s
    }
}

/// Typed field access for payload mapping: each failure names the field by its dotted path.
extension JSONValue {
    /// `key` as a string; null or absent is nil, any other kind is an error naming `path.key`.
    func optionalString(_ key: String, in path: String = "") throws(DeploymentInputError) -> String? {
        guard let value = self[key] else { return nil }
        guard let s = value.string else {
            throw .invalidField(Self.name(key, in: path), reason: "expected a string, found \(value.kindName)")
        }
        return s
    }

    func optionalStrings(_ key: String, in path: String = "") throws(DeploymentInputError) -> [String]? {
        guard let value = self[key] else { return nil }
        let name = Self.name(key, in: path)
        guard let items = value.array else { throw .invalidField(name, reason: "expected an array of strings, found \(value.kindName)") }
        var out: [String] = []
        for item in items {
            guard let s = item.string else { throw .invalidField(name, reason: "expected an array of strings, found \(item.kindName) in it") }
            out.append(s)
        }
        return out
    }

    func optionalStringMap(_ key: String, in path: String = "") throws(DeploymentInputError) -> [String: String]? {
        guard let value = self[key] else { return nil }
        let name = Self.name(key, in: path)
        guard let members = value.object else { throw .invalidField(name, reason: "expected an object of strings, found \(value.kindName)") }
        var out: [String: String] = [:]
        for (k, v) in members {
            guard let s = v.string else { throw .invalidField("\(name).\(k)", reason: "expected a string, found \(v.kindName)") }
            out[k] = s
        }
        return out
    }

    /// A required RFC 3339 time at `key` (GitLab's `2021-04-28 21:50:00 +0200` and `… UTC` included).
    func requiredTime(_ key: String, in path: String = "") throws(DeploymentInputError) -> Timestamp {
        let name = Self.name(key, in: path)
        guard let text = try optionalString(key, in: path).nonEmpty else { throw .missingField(name) }
        guard let time = RFC3339.parse(text) else { throw .invalidField(name, reason: "not an RFC 3339 time") }
        return time
    }

    /// A required object at `key`.
    func requiredObject(_ key: String, in path: String = "") throws(DeploymentInputError) -> JSONValue {
        let name = Self.name(key, in: path)
        guard let value = self[key] else { throw .missingField(name) }
        guard value.object != nil else { throw .invalidField(name, reason: "expected an object, found \(value.kindName)") }
        return value
    }

    /// A required id: a number or a non-empty string.
    func requiredID(_ key: String, in path: String = "") throws(DeploymentInputError) -> String {
        let name = Self.name(key, in: path)
        guard let value = self[key] else { throw .missingField(name) }
        guard let text = value.scalarText, !text.isEmpty else {
            throw .invalidField(name, reason: "expected a number or a string, found \(value.kindName)")
        }
        return text
    }

    private static func name(_ key: String, in path: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }
}
