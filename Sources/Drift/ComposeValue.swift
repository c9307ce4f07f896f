/// Where a compose value was written, kept through merging so that later
/// semantic errors can still name the file and line the value came from.
struct ValueOrigin: Sendable, Hashable {
    let file: String
    let line: Int?
}

/// A YAML tree after interpolation, the form in which compose files are merged.
///
/// Scalars stay text: compose accepts `512m`, `"512m"` and `536870912` alike,
/// so typing is left to normalisation.
indirect enum ComposeValue: Sendable {
    case null(ValueOrigin?)
    case scalar(String, ValueOrigin?)
    case sequence([ComposeValue], ValueOrigin?)
    case mapping([String: ComposeValue], ValueOrigin?)
    /// `!reset`: the override file removes the value it is merged onto.
    case reset
    /// `!override`: the override file replaces the value instead of merging.
    case replace(ComposeValue)

    var origin: ValueOrigin? {
        switch self {
        case .null(let o), .scalar(_, let o), .sequence(_, let o), .mapping(_, let o): return o
        case .reset: return nil
        case .replace(let inner): return inner.origin
        }
    }

    var string: String? {
        if case .scalar(let s, _) = self { return s }
        return nil
    }

    var mapping: [String: ComposeValue]? {
        if case .mapping(let m, _) = self { return m }
        return nil
    }

    var sequence: [ComposeValue]? {
        if case .sequence(let s, _) = self { return s }
        return nil
    }

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    subscript(key: String) -> ComposeValue? {
        mapping?[key]
    }

    /// The value compared structurally, ignoring origins; used to union sequences.
    var shape: String {
        switch self {
        case .null: return "~"
        case .scalar(let s, _): return "s:" + s
        case .sequence(let items, _): return "[" + items.map(\.shape).joined(separator: ",") + "]"
        case .mapping(let m, _):
            return "{" + m.keys.sorted().map { "\($0):\(m[$0]!.shape)" }.joined(separator: ",") + "}"
        case .reset: return "!reset"
        case .replace(let inner): return "!override" + inner.shape
        }
    }
}
