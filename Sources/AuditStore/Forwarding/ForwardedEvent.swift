/// An event as the forwarder sends it: the columns of the fleet's `events` table, the host's
/// dictionaries (actors, attribute sets) resolved to text, plus where it lies in this store.
public struct ForwardedEvent: Sendable, Equatable {
    public var timeNs: Int64
    public var type: String
    public var actorID: String
    public var action: String
    public var detail: String?
    /// The attribute set's canonical JSON object (sorted keys).
    public var attributes: String
    /// Per-event attributes (execID, exitCode, oldName…) as a JSON object.
    public var extra: String?
    public var scope: String?
    public var source: EventSource
    public var project: String?
    public var service: String?
    /// The row's primary key in this store, for paging.
    public var cursor: ForwardCursor
}

/// A position in this store's events, in primary key order (time, actor, action): the forwarder reads
/// what lies after it.
public struct ForwardCursor: Sendable, Equatable, Comparable {
    public var timeNs: Int64
    var actor: Int64
    var action: String

    /// Before every event at or after `timeNs` (actor ids start at 1).
    public static func start(atNs timeNs: Int64) -> ForwardCursor { ForwardCursor(timeNs: timeNs, actor: 0, action: "") }

    public static func < (a: ForwardCursor, b: ForwardCursor) -> Bool {
        (a.timeNs, a.actor, a.action) < (b.timeNs, b.actor, b.action)
    }
}
