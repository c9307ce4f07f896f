import AuditSupport

/// Decodes one line of `/events` (or of `docker events --format '{{json .}}'`) into a `DockerEvent`.
///
/// Tolerant of every dialect the collector meets: Engine 20.10–29 (the legacy `status`/`id`/`from`
/// fields come up to API 1.51 and are gone from 1.52) and podman's compatible API. Anything that cannot
/// be an event becomes a `MalformedLine` with the reason, never a crash.
public enum EventDecoder {
    /// With an `interner`, repeated ids, commands and label sets share one allocation (one interner
    /// per stream, used by one thread at a time).
    public static func decode(_ line: UnsafeRawBufferPointer, interner: Interner? = nil) -> StreamItem {
        do throws(JSONCursor.Failure) {
            return .event(try decodeEvent(line, interner))
        } catch {
            return .malformed(MalformedLine(raw: Array(line), reason: error.reason))
        }
    }

    public static func decode(_ line: [UInt8]) -> StreamItem {
        line.withUnsafeBytes { decode($0) }
    }

    public static func decode(_ line: String, interner: Interner? = nil) -> StreamItem {
        var copy = line
        return copy.withUTF8 { decode(UnsafeRawBufferPointer($0), interner: interner) }
    }

    private static func decodeEvent(_ line: UnsafeRawBufferPointer, _ interner: Interner?) throws(JSONCursor.Failure) -> DockerEvent {
        var cursor = JSONCursor(line)
        var type: String?
        var action: String?
        var splitAction: (String, String?)?
        var actorID: String?
        var attributes = Attributes()
        var scope: String?
        var time: Int64?
        var timeNano: Int64?
        // Engines up to API 1.51 repeat the event in legacy fields before the current ones; they are
        // only decoded when the current ones are missing, so most lines build no String for them.
        var status: UnsafeRawBufferPointer?
        var legacyID: UnsafeRawBufferPointer?
        var legacyFrom: UnsafeRawBufferPointer?

        try cursor.forEachMember { (c, key) throws(JSONCursor.Failure) in
            if key.equals("Type") { type = try c.isNull() ? nil : try c.string() }
            else if key.equals("Action") {
                // Whichever way it is read, the last `Action` wins, as it does without an interner.
                if let interner, let raw = try c.plainString() {
                    splitAction = raw.count > 0 ? interner.action(raw) { (full: String) -> (String, String?) in split(full) } : nil
                    action = raw.count > 0 ? nil : ""
                } else {
                    splitAction = nil
                    action = try c.isNull() ? nil : try c.string()
                }
            }
            else if key.equals("Actor") {
                if try c.isNull() { return }
                try c.forEachMember { (a, actorKey) throws(JSONCursor.Failure) in
                    if actorKey.equals("ID") {
                        if let interner, let raw = try a.plainString() { actorID = interner.string(raw) }
                        else { actorID = try a.isNull() ? nil : try a.string() }
                    }
                    else if actorKey.equals("Attributes") { attributes = try a.attributes(interner: interner, actorID: actorID) }
                    else { try a.skipValue() }
                }
            }
            else if key.equals("timeNano") { timeNano = try c.int64() }
            else if key.equals("time") { time = try c.int64() }
            else if key.equals("scope") { scope = try c.isNull() ? nil : try c.string() }
            else if key.equals("status") { status = try c.isNull() ? nil : try c.rawString() }
            else if key.equals("id") { legacyID = try c.isNull() ? nil : try c.rawString() }
            else if key.equals("from") { legacyFrom = try c.isNull() ? nil : try c.rawString() }
            else { try c.skipValue() }
        }
        cursor.skipWhitespace()
        guard cursor.atEnd else { throw JSONCursor.Failure(reason: "trailing bytes after the event object at byte \(cursor.index)") }

        // API < 1.22 sent only the legacy fields, and only for containers.
        let resolvedType = nonEmpty(type) ?? (status != nil ? "container" : nil)
        guard let resolvedType else { throw JSONCursor.Failure(reason: "missing field: Type") }
        if splitAction == nil, nonEmpty(action) == nil { action = try JSONCursor.decodeRaw(status) }
        if splitAction == nil {
            guard let fullAction = nonEmpty(action) else { throw JSONCursor.Failure(reason: "missing field: Action") }
            splitAction = split(fullAction)
        }
        if nonEmpty(actorID) == nil { actorID = try JSONCursor.decodeRaw(legacyID) }
        // Podman's image pulls carry no id, only the reference as `name`: the image is keyed by it.
        if nonEmpty(actorID) == nil, resolvedType == "image" { actorID = attributes["name"] }
        guard let id = nonEmpty(actorID) else { throw JSONCursor.Failure(reason: "missing field: Actor.ID") }
        let nanos = try nanoseconds(timeNano: timeNano, time: time)
        if attributes.isEmpty, let from = try JSONCursor.decodeRaw(legacyFrom) { attributes = Attributes([Attributes.Pair("image", from)]) }

        let (base, detail) = splitAction!
        return DockerEvent(
            type: resolvedType,
            action: base,
            detail: detail,
            actorID: id,
            attributes: attributes,
            scope: scope,
            timeNano: nanos
        )
    }

    /// The event's time, within `Timestamp.earliest...latest` so that no later arithmetic on it can
    /// overflow: `timeNano`, else `time` in seconds (a line with only `time` must not trap converting it).
    private static func nanoseconds(timeNano: Int64?, time: Int64?) throws(JSONCursor.Failure) -> Int64 {
        if let timeNano {
            guard Timestamp(checkedNanoseconds: timeNano) != nil else {
                throw JSONCursor.Failure(reason: "timeNano out of range: \(timeNano) is not an instant between 1678 and 2261")
            }
            return timeNano
        }
        guard let time else { throw JSONCursor.Failure(reason: "missing field: timeNano") }
        guard let stamp = Timestamp(checkedSeconds: time) else {
            throw JSONCursor.Failure(reason: "time out of range: \(time) s is not an instant between 1678 and 2261")
        }
        return stamp.nanoseconds
    }

    /// `exec_start: sh -c date` → (`exec_start`, `sh -c date`); `health_status: healthy` → (`health_status`, `healthy`);
    /// podman's names become Docker's (`died` → `die`).
    static func split(_ action: String) -> (String, String?) {
        guard let colon = action.utf8.firstIndex(of: UInt8(ascii: ":")) else { return (PodmanDialect.dockerAction(for: action), nil) }
        let base = String(action[..<colon])
        var rest = action[action.index(after: colon)...]
        if rest.first == " " { rest = rest.dropFirst() }
        return (PodmanDialect.dockerAction(for: base), String(rest))
    }

    private static func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        return s
    }
}

/// Podman's Docker-compatible API names a few container actions differently; the store and the matcher
/// speak Docker's names only.
enum PodmanDialect {
    static func dockerAction(for action: String) -> String {
        switch action {
        case "remove": return "destroy"
        case "died": return "die"
        case "exec": return "exec_start"
        case "exec_died": return "exec_die"
        default: return action
        }
    }
}
