/// The tables the forwarder sends beside the events, each named as in this store and in its change log
/// (migration 010). Their rows go out with the fleet's columns (`Schema/postgres/002_fleet_records.sql`):
/// actor rows resolved to container ids, SQLite's 0/1 to booleans.
public enum ForwardedTable: String, CaseIterable, Sendable {
    case containerSnapshots = "container_snapshots"
    case execSessions = "exec_sessions"
    case execCommands = "exec_commands"
    case coverage
    case gaps
    case deployments
    case driftFindings = "drift_findings"
    case acks

    /// The columns as the fleet names them, in the order `rows(…)` reads them; the first is the key.
    public var columns: [ForwardedColumn] {
        switch self {
        case .containerSnapshots:
            [.integer("id"), .text("container_id"), .integer("taken_ns"), .integer("trigger_ns"), .text("reason"), .text("name"), .text("image_id"),
             .text("image_ref"), .integer("started_at_ns"), .boolean("running"), .text("config"), .text("project"), .text("service")]
        case .execSessions:
            [.text("exec_id"), .text("container_id"), .integer("inspected_ns"), .text("user"), .boolean("privileged"), .boolean("tty"),
             .boolean("open_stdin"), .text("entrypoint"), .text("arguments")]
        case .execCommands:
            [.integer("hour"), .text("container_id"), .text("command"), .integer("count"), .integer("first_ns"), .integer("last_ns")]
        case .coverage:
            [.integer("id"), .text("docker_host"), .integer("started_ns"), .integer("last_seen_ns"), .integer("ended_ns"), .text("end_reason")]
        case .gaps:
            [.integer("id"), .text("docker_host"), .integer("from_ns"), .integer("to_ns"), .text("cause"), .integer("replayed"),
             .integer("reconciled_ns"), .integer("changes_found")]
        case .deployments:
            [.text("id"), .text("source"), .text("status"), .integer("started_ns"), .integer("finished_ns"), .text("project"), .text("host"),
             .text("record"), .integer("received_ns"), .integer("updated_ns")]
        case .driftFindings:
            [.text("id"), .text("project"), .text("service"), .text("container_id"), .text("container_name"), .text("field"), .text("kind"),
             .text("severity"), .text("expected"), .text("actual"), .integer("first_seen_ns"), .integer("last_seen_ns"), .integer("resolved_ns")]
        case .acks:
            [.integer("id"), .text("finding_id"), .text("by"), .text("reason"), .integer("at_ns"), .integer("expires_ns")]
        }
    }

    /// The row(s) one change-log key names (`?1`; exec_commands' hour `?1` and actor `?2`), with `columns`.
    var select: String {
        switch self {
        case .containerSnapshots: """
            SELECT s.id, a.docker_id, s.taken_ns, s.trigger_ns, s.reason, s.name, s.image_id, s.image_ref, s.started_at_ns, s.running, s.config,
                   a.project, a.service
            FROM container_snapshots s JOIN actors a ON a.id = s.actor WHERE s.id = ?1
            """
        case .execSessions: """
            SELECT e.exec_id, a.docker_id, e.inspected_ns, e.user, e.privileged, e.tty, e.open_stdin, e.entrypoint, e.arguments
            FROM exec_sessions e JOIN actors a ON a.id = e.actor WHERE e.exec_id = ?1
            """
        case .execCommands: """
            SELECT c.hour, a.docker_id, c.command, c.count, c.first_ns, c.last_ns
            FROM exec_commands c JOIN actors a ON a.id = c.actor WHERE c.hour = ?1 AND c.actor = ?2
            """
        case .coverage: "SELECT id, docker_host, started_ns, last_seen_ns, ended_ns, end_reason FROM coverage WHERE id = ?1"
        case .gaps: "SELECT id, docker_host, from_ns, to_ns, cause, replayed, reconciled_ns, changes_found FROM gaps WHERE id = ?1"
        case .deployments: "SELECT id, source, status, started_ns, finished_ns, project, host, record, received_ns, updated_ns FROM deployments WHERE id = ?1"
        case .driftFindings: """
            SELECT id, project, service, container_id, container_name, field, kind, severity, expected, actual, first_seen_ns, last_seen_ns, resolved_ns
            FROM drift_findings WHERE id = ?1
            """
        case .acks: "SELECT id, finding_id, by, reason, at_ns, expires_ns FROM acks WHERE id = ?1"
        }
    }

    /// The change-log keys of the table after the key bound first (exec_commands': `?1`, `?2`), in order,
    /// at most the number bound after it: how a full copy pages.
    var keys: String {
        switch self {
        case .execCommands: "SELECT hour || '/' || actor FROM exec_commands WHERE (hour, actor) > (?1, ?2) GROUP BY hour, actor ORDER BY hour, actor LIMIT ?3"
        case .execSessions: "SELECT exec_id FROM exec_sessions WHERE exec_id > ?1 ORDER BY exec_id LIMIT ?2"
        default: "SELECT id FROM \(rawValue) WHERE id > ?1 ORDER BY id LIMIT ?2"
        }
    }

    /// How the change log's text keys bind: rowids as integers; exec_commands' as its hour and actor
    /// (`hour/actor`: a group per command under them, one note while any of them changes).
    enum KeyKind { case integer, text, hourActor }

    var keyKind: KeyKind {
        switch self {
        case .execSessions, .deployments, .driftFindings: .text
        case .execCommands: .hourActor
        case .containerSnapshots, .coverage, .gaps, .acks: .integer
        }
    }

    /// Binds `key` (nil: before the first) from parameter 1 and returns the next parameter's index; nil
    /// when the key cannot be one of this table's.
    func bind(key: String?, to s: Statement) -> Int32? {
        switch keyKind {
        case .text:
            s.bind(1, key ?? "")
            return 2
        case .integer:
            guard let value = key.map({ Int64($0) }) ?? .min else { return nil }
            s.bind(1, value)
            return 2
        case .hourActor:
            let parts = key.map { $0.split(separator: "/", omittingEmptySubsequences: false).map { Int64($0) } } ?? [.min, .min]
            guard parts.count == 2, let hour = parts[0], let actor = parts[1] else { return nil }
            s.bind(1, hour)
            s.bind(2, actor)
            return 3
        }
    }
}

/// A column the forwarder sends: the fleet's name and the type its values take there.
public struct ForwardedColumn: Sendable, Equatable {
    public enum Kind: Sendable { case integer, text, boolean }
    public var name: String
    public var kind: Kind

    static func integer(_ name: String) -> ForwardedColumn { ForwardedColumn(name: name, kind: .integer) }
    static func text(_ name: String) -> ForwardedColumn { ForwardedColumn(name: name, kind: .text) }
    static func boolean(_ name: String) -> ForwardedColumn { ForwardedColumn(name: name, kind: .boolean) }
}

/// Rows of one table column by column (one array per `table.columns` entry), as a multi-row statement
/// binds them.
public struct ForwardedRows: Sendable, Equatable {
    public enum Values: Sendable, Equatable {
        case integer([Int64?])
        case text([String?])
        case boolean([Bool?])
    }

    public let table: ForwardedTable
    public private(set) var values: [Values]
    public private(set) var count = 0
    /// The rows' size as sent, about: their text's UTF-8 bytes and 8 for every other value. What a
    /// batch is cut at, beside its number of rows.
    public private(set) var bytes = 0

    init(table: ForwardedTable) {
        self.table = table
        values = table.columns.map {
            switch $0.kind {
            case .integer: .integer([])
            case .text: .text([])
            case .boolean: .boolean([])
            }
        }
    }

    /// Appends the statement's current row, its columns in `table.columns` order.
    mutating func append(_ row: Statement) {
        for index in values.indices {
            let column = Int32(index)
            switch values[index] {
            case .integer(var a):
                values[index] = .integer([])
                a.append(row.optionalInt64(column))
                values[index] = .integer(a)
                bytes += 8
            case .text(var a):
                values[index] = .text([])
                let text = row.string(column)
                a.append(text)
                values[index] = .text(a)
                bytes += text?.utf8.count ?? 8
            case .boolean(var a):
                values[index] = .boolean([])
                a.append(row.optionalInt64(column).map { $0 != 0 })
                values[index] = .boolean(a)
                bytes += 8
            }
        }
        count += 1
    }

    /// Appends `other`'s rows, of the same table, in place: each column's array is taken out of its
    /// enum before it grows (a copy still held by the enum, or by a tuple switched over, made every
    /// append copy the whole page: quadratic, 79% of the forwarder's time on a full copy).
    mutating func append(contentsOf other: ForwardedRows) {
        precondition(other.table == table, "rows of \(other.table) appended to \(table)'s")
        for index in values.indices {
            switch other.values[index] {
            case .integer(let b):
                guard case .integer(var a) = values[index] else { preconditionFailure("the columns of \(table) differ") }
                values[index] = .integer([])
                a += b
                values[index] = .integer(a)
            case .text(let b):
                guard case .text(var a) = values[index] else { preconditionFailure("the columns of \(table) differ") }
                values[index] = .text([])
                a += b
                values[index] = .text(a)
            case .boolean(let b):
                guard case .boolean(var a) = values[index] else { preconditionFailure("the columns of \(table) differ") }
                values[index] = .boolean([])
                a += b
                values[index] = .boolean(a)
            }
        }
        count += other.count
        bytes += other.bytes
    }
}
