import Yams

/// Turns one compose file's text into a `ComposeValue` tree, interpolating
/// scalar values (never keys) as compose does before files are merged.
struct YAMLReader {
    let file: String
    let interpolator: Interpolator

    func read(_ text: String) throws -> ComposeValue {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.describe(error, file: file)
        }
        guard let root else { return .mapping([:], ValueOrigin(file: file, line: 1)) }
        let value = try convert(root, path: [])
        guard value.mapping != nil else {
            throw DriftError.compose(file: file, line: root.mark?.line, "top level must be a mapping")
        }
        return value
    }

    private func origin(_ node: Node) -> ValueOrigin {
        ValueOrigin(file: file, line: node.mark?.line)
    }

    private func convert(_ node: Node, path: [String]) throws -> ComposeValue {
        switch node.tag.description {
        case "!reset":
            return .reset
        case "!override":
            return .replace(try convertPlain(node, path: path))
        default:
            return try convertPlain(node, path: path)
        }
    }

    private func convertPlain(_ node: Node, path: [String]) throws -> ComposeValue {
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
                items.append(try convert(item, path: path + [String(index)]))
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
                        for (k, v) in try convertPlain(source, path: path).mapping ?? [:] where merged[k] == nil {
                            merged[k] = v
                        }
                    }
                    continue
                }
                if result[key] != nil {
                    throw DriftError.compose(file: file, line: keyNode.mark?.line,
                                             "duplicate key \"\(key)\" in \((path.isEmpty ? ["top level"] : path).joined(separator: "."))")
                }
                result[key] = try convert(valueNode, path: path + [key])
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
