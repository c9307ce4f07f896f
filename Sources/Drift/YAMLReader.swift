import Yams

/// Turns one compose file's text into a `ComposeValue` tree, interpolating
/// scalar values (never keys) as compose does before files are merged.
public struct YAMLReader {
    let file: String
    let interpolator: Interpolator

    /// Yams composes nodes recursively and overflowed the stack near 5,000 nested flow collections;
    /// manifests nest a handful of levels.
    static let maximumDepth = 256
    /// Aliases expand where they are used, so a few lines of anchors can stand for billions of values.
    static let maximumValues = 1_000_000

    /// Values converted so far, against `maximumValues`.
    private final class Budget {
        var values = 0
    }

    func read(_ text: String) throws -> ComposeValue {
        guard Self.flowDepth(text) <= Self.maximumDepth else {
            throw DriftError.compose(file: file, line: nil, "nested deeper than \(Self.maximumDepth) levels")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.describe(error, file: file)
        }
        guard let root else { return .mapping([:], ValueOrigin(file: file, line: 1)) }
        let value = try convert(root, path: [], Budget())
        guard value.mapping != nil else {
            throw DriftError.compose(file: file, line: root.mark?.line, "top level must be a mapping")
        }
        return value
    }

    private func origin(_ node: Node) -> ValueOrigin {
        ValueOrigin(file: file, line: node.mark?.line)
    }

    /// The deepest run of unclosed `[` and `{` outside quoted scalars and comments: more than the
    /// real nesting when a plain or block scalar holds a bracket, never less.
    public static func flowDepth(_ text: String) -> Int {
        var depth = 0, deepest = 0
        var quote: UInt8?
        var escaped = false
        var comment = false
        var previous: UInt8 = 0x0A
        for b in text.utf8 {
            defer { previous = b }
            if comment { comment = b != 0x0A; continue }
            if let open = quote {
                if escaped { escaped = false } else if open == UInt8(ascii: "\""), b == UInt8(ascii: "\\") { escaped = true } else if b == open { quote = nil }
                continue
            }
            let afterSpace = previous == 0x20 || previous == 0x09 || previous == 0x0A || previous == 0x0D
            switch b {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                // A quote only opens a scalar where one can start: `don't` stays plain text.
                if afterSpace || previous == UInt8(ascii: "[") || previous == UInt8(ascii: "{") || previous == UInt8(ascii: ",") { quote = b }
            case UInt8(ascii: "#"):
                comment = afterSpace
            case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1; deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth = max(0, depth - 1)
            default: break
            }
        }
        return deepest
    }

    private func convert(_ node: Node, path: [String], _ budget: Budget) throws -> ComposeValue {
        budget.values += 1
        guard budget.values <= Self.maximumValues else {
            throw DriftError.compose(file: file, line: nil, "more than \(Self.maximumValues) values (aliases expanding?)")
        }
        switch node.tag.description {
        case "!reset":
            return .reset
        case "!override":
            return .replace(try convertPlain(node, path: path, budget))
        default:
            return try convertPlain(node, path: path, budget)
        }
    }

    private func convertPlain(_ node: Node, path: [String], _ budget: Budget) throws -> ComposeValue {
        switch node {
        case .scalar(let scalar):
            // Only plain scalars can be null: `KEY: ""` is an empty string, `KEY:` is null.
            if scalar.style == .plain || scalar.style == .any, node.null != nil { return .null(origin(node)) }
            do {
                return .scalar(try interpolator.interpolate(scalar.string), origin(node))
            } catch {
                let at = path.isEmpty ? "" : " (\(path.joined(separator: ".")))"
                throw DriftError.compose(file: file, line: node.mark?.line, error.problem + at)
            }
        case .sequence(let sequence):
            var items: [ComposeValue] = []
            for (index, item) in sequence.enumerated() {
                items.append(try convert(item, path: path + [String(index)], budget))
            }
            return .sequence(items, origin(node))
        case .mapping(let mapping):
            var result: [String: ComposeValue] = [:]
            var merged: [String: ComposeValue] = [:]
            for (keyNode, valueNode) in mapping {
                let key = keyNode.string ?? ""
                // YAML merge keys (`<<: *defaults`) are common in compose files; explicit keys win.
                if key == "<<" {
                    let sources = valueNode.sequence.map(Array.init) ?? [valueNode]
                    for source in sources {
                        for (k, v) in try convertPlain(source, path: path, budget).mapping ?? [:] where merged[k] == nil {
                            merged[k] = v
                        }
                    }
                    continue
                }
                if result[key] != nil {
                    throw DriftError.compose(file: file, line: keyNode.mark?.line,
                                             "duplicate key \"\(key)\" in \((path.isEmpty ? ["top level"] : path).joined(separator: "."))")
                }
                result[key] = try convert(valueNode, path: path + [key], budget)
            }
            return .mapping(result.merging(merged) { explicit, _ in explicit }, origin(node))
        }
    }

    private static func describe(_ error: YamlError, file: String) -> DriftError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let detail = [problem, context?.text].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return DriftError.compose(file: file, line: mark.line, "invalid yaml: \(detail) (column \(mark.column))")
        case .reader(let problem, _, _, _):
            return DriftError.compose(file: file, line: nil, "invalid yaml: \(problem)")
        default:
            return DriftError.compose(file: file, line: nil, "invalid yaml: \(error)")
        }
    }
}
