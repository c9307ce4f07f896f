import AuditSupport
/// A `service.field` or `*.field` pattern that silences matching drift items.
///
/// The field matches an item's field exactly or as a prefix ending at a dot,
/// so `api.env` ignores `env.FOO` and `*.image` ignores `image.digest`.
public struct IgnoreRule: Hashable, Sendable, Codable, CustomStringConvertible {
    /// A service name, or `*` for every service.
    public var service: String
    public var field: String

    public init(service: String, field: String) {
        self.service = service
        self.field = field
    }

    /// Parses `service.field`; the service part ends at the first dot.
    public static func parse(_ text: String) throws -> IgnoreRule {
        let trimmed = text.trimmingSpaces()
        guard let dot = trimmed.firstIndex(of: "."),
              dot != trimmed.startIndex, trimmed.index(after: dot) != trimmed.endIndex else {
            throw DriftError("invalid ignore rule \"\(text)\": expected service.field or *.field")
        }
        return IgnoreRule(service: String(trimmed[..<dot]), field: String(trimmed[trimmed.index(after: dot)...]))
    }

    /// Whether this rule silences `item`.
    public func matches(_ item: DriftItem) -> Bool {
        guard service == "*" || service == item.service else { return false }
        return item.field == field || item.field.hasPrefix(field + ".")
    }

    public var description: String { "\(service).\(field)" }
}
