import AuditSupport

/// Times are written as RFC 3339 for people and `timeNano` for exact round trips; optional keys are
/// left out when empty.
extension Finding: Codable {
    enum CodingKeys: String, CodingKey {
        case id, severity, kind, action, status, time, timeNano, container, detail, why, changes, command, user
        case privileged, tty, deployment, resolvedTimeNano, ack, gap
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        severity = try c.decode(Severity.self, forKey: .severity)
        kind = try c.decode(FindingKind.self, forKey: .kind)
        action = try c.decode(String.self, forKey: .action)
        status = try c.decode(FindingStatus.self, forKey: .status)
        timeNano = try c.decode(Int64.self, forKey: .timeNano)
        container = try c.decode(Container.self, forKey: .container)
        detail = try c.decode(String.self, forKey: .detail)
        why = try c.decodeIfPresent(String.self, forKey: .why)
        changes = try c.decodeIfPresent([String].self, forKey: .changes)
        command = try c.decodeIfPresent(String.self, forKey: .command)
        user = try c.decodeIfPresent(String.self, forKey: .user)
        privileged = try c.decodeIfPresent(Bool.self, forKey: .privileged)
        tty = try c.decodeIfPresent(Bool.self, forKey: .tty)
        resolution = try c.decodeIfPresent(Int64.self, forKey: .resolvedTimeNano).map {
            Resolution(atNs: $0, deploymentID: try? c.decodeIfPresent(String.self, forKey: .deployment))
        }
        ack = try c.decodeIfPresent(AckInfo.self, forKey: .ack)
        gap = try c.decodeIfPresent(GapBounds.self, forKey: .gap)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(severity, forKey: .severity)
        try c.encode(kind, forKey: .kind)
        try c.encode(action, forKey: .action)
        try c.encode(status, forKey: .status)
        try c.encode(RFC3339.format(Timestamp(nanoseconds: timeNano)), forKey: .time)
        try c.encode(timeNano, forKey: .timeNano)
        try c.encode(container, forKey: .container)
        try c.encode(detail, forKey: .detail)
        try c.encodeIfPresent(why, forKey: .why)
        try c.encodeIfPresent(changes, forKey: .changes)
        try c.encodeIfPresent(command, forKey: .command)
        try c.encodeIfPresent(user, forKey: .user)
        try c.encodeIfPresent(privileged, forKey: .privileged)
        try c.encodeIfPresent(tty, forKey: .tty)
        try c.encodeIfPresent(resolution?.deploymentID, forKey: .deployment)
        try c.encodeIfPresent(resolution?.atNs, forKey: .resolvedTimeNano)
        try c.encodeIfPresent(ack, forKey: .ack)
        try c.encodeIfPresent(gap, forKey: .gap)
    }
}

extension Finding.AckInfo: Codable {
    enum CodingKeys: String, CodingKey { case by, reason, at, expires }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        by = try c.decode(String.self, forKey: .by)
        reason = try c.decode(String.self, forKey: .reason)
        atNs = try decodeInstant(c, .at)
        expiresNs = try c.contains(.expires) ? decodeInstant(c, .expires) : nil
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(by, forKey: .by)
        try c.encode(reason, forKey: .reason)
        try c.encode(RFC3339.format(Timestamp(nanoseconds: atNs)), forKey: .at)
        try c.encodeIfPresent(expiresNs.map { RFC3339.format(Timestamp(nanoseconds: $0)) }, forKey: .expires)
    }
}

extension Finding.GapBounds: Codable {
    enum CodingKeys: String, CodingKey { case from, to }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        fromNs = try decodeInstant(c, .from)
        toNs = try decodeInstant(c, .to)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(RFC3339.format(Timestamp(nanoseconds: fromNs)), forKey: .from)
        try c.encode(RFC3339.format(Timestamp(nanoseconds: toNs)), forKey: .to)
    }
}

/// Reads an RFC 3339 time as Unix nanoseconds.
private func decodeInstant<Key: CodingKey>(_ c: KeyedDecodingContainer<Key>, _ key: Key) throws -> Int64 {
    let text = try c.decode(String.self, forKey: key)
    guard let t = RFC3339.parse(text) else {
        throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "\(key.stringValue) is not an RFC 3339 time: \(text)")
    }
    return t.nanoseconds
}
