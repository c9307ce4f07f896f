import AuditStore
import AuditSupport
import Drift
import Logging
import Yams
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The collector's configuration file: one `key: value` per setting, the keys being `audit collect`'s
/// long option names (`docker-host: unix:///var/run/docker.sock`). YAML through Yams, which the drift
/// check already uses, because its nodes carry their line: every unknown key and bad value is refused
/// with the file, the line and the key, and the collector does not start half-configured.
struct ConfigFile {
    enum Kind {
        case text, integer, flag, duration, logLevel, list
        /// A retention period: a duration, or 0 for "keep everything".
        case period
    }

    struct Entry {
        var value: Value
        var line: Int
    }

    enum Value: Equatable {
        case text(String), integer(Int), flag(Bool), list([String])
    }

    /// Where `audit collect` and `audit config check` look when neither --config nor AUDIT_CONFIG is given.
    static let defaultPath = "/etc/audit/audit.yaml"
    /// A configuration is a few dozen lines; a larger file is a mistake (or an attack on the parser).
    static let maximumBytes = 64 << 10

    let path: String
    let entries: [String: Entry]

    /// Reads and checks `path` against `known`; nil when `path` is the default and does not exist.
    static func load(_ path: String, known: [String: Kind], optional: Bool) throws(ConfigFileError) -> ConfigFile? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            // Only a default path that does not exist means "no file": one this user cannot reach is an error,
            // or the collector would run without its settings and say nothing.
            if optional && errno == ENOENT { return nil }
            throw ConfigFileError(path: path, line: nil, key: nil, "cannot be read: \(String(cString: strerror(errno))); check the path and that this user may read it")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw ConfigFileError(path: path, line: nil, key: nil, "is not a regular file") }
        guard info.st_size <= maximumBytes else { throw ConfigFileError(path: path, line: nil, key: nil, "is larger than \(maximumBytes) bytes") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigFileError(path: path, line: nil, key: nil, "cannot be read: \(String(cString: strerror(errno))); check the path and that this user may read it")
        }
        guard data.count <= maximumBytes else { throw ConfigFileError(path: path, line: nil, key: nil, "is larger than \(maximumBytes) bytes") }
        guard let text = String(validating: data, as: UTF8.self) else { throw ConfigFileError(path: path, line: nil, key: nil, "is not UTF-8 text") }
        // Yams composes recursively: flow brackets and block indentation are both bounded far below
        // what would exhaust the stack; settings are one level deep, lists two.
        guard YAMLReader.flowDepth(text) <= 8 else { throw ConfigFileError(path: path, line: nil, key: nil, "nests deeper than any setting needs") }
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let indent = line.prefix { $0 == " " || $0 == "-" || $0 == "?" || $0 == ":" || $0 == "\t" }.count
            guard indent <= 32 else { throw ConfigFileError(path: path, line: index + 1, key: nil, "nests deeper than any setting needs") }
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigFileError(path: path, line: nil, key: nil, "is not valid YAML: \(error)")
        } catch {
            throw ConfigFileError(path: path, line: nil, key: nil, "is not valid YAML: \(error)")
        }
        guard let root else { return ConfigFile(path: path, entries: [:]) }
        guard let mapping = root.mapping else {
            throw ConfigFileError(path: path, line: root.mark?.line, key: nil, "must be a mapping of settings (`key: value` lines)")
        }
        var entries: [String: Entry] = [:]
        for (keyNode, valueNode) in mapping {
            let line = keyNode.mark?.line ?? 0
            guard let key = keyNode.scalar?.string, let kind = known[key] else {
                let name = keyNode.scalar?.string ?? "(not a name)"
                throw ConfigFileError(path: path, line: line, key: name, "unknown setting; known: \(known.keys.sorted().joined(separator: ", "))")
            }
            guard entries[key] == nil else { throw ConfigFileError(path: path, line: line, key: key, "set twice") }
            entries[key] = Entry(value: try value(valueNode, kind: kind, key: key, line: line, path: path), line: line)
        }
        return ConfigFile(path: path, entries: entries)
    }

    private static func value(_ node: Node, kind: Kind, key: String, line: Int, path: String) throws(ConfigFileError) -> Value {
        func fail(_ message: String) -> ConfigFileError { ConfigFileError(path: path, line: node.mark?.line ?? line, key: key, message) }
        if kind == .list {
            if let single = node.scalar?.string { return .list([single]) }
            guard let items = node.sequence?.map({ $0.scalar?.string }), !items.contains(nil) else { throw fail("expects a list of paths") }
            return .list(items.compactMap { $0 })
        }
        guard let text = node.scalar?.string else { throw fail("expects a single value") }
        switch kind {
        case .text, .list:
            return .text(text)
        case .integer:
            guard let n = Int(text), n > 0 else { throw fail("\"\(text)\" is not a positive whole number") }
            return .integer(n)
        case .flag:
            guard let b = Bool(text.lowercased()) else { throw fail("\"\(text)\" is not true or false") }
            return .flag(b)
        case .duration:
            guard TimeArgument.parseDuration(text) != nil else { throw fail("\"\(text)\" is not a duration (30s, 5m, 6h)") }
            return .text(text)
        case .period:
            guard RetentionPolicy.parsePeriod(text) != nil else { throw fail("\"\(text)\" is not a retention period (90d, 2w, 12h, or 0 to keep everything)") }
            return .text(text)
        case .logLevel:
            guard Logger.Level(rawValue: text) != nil else { throw fail("\"\(text)\" is not a log level (trace, debug, info, notice, warning, error, critical)") }
            return .text(text)
        }
    }

    func text(_ key: String) -> String? {
        if case .text(let s)? = entries[key]?.value { return s }
        return nil
    }

    func integer(_ key: String) -> Int? {
        if case .integer(let n)? = entries[key]?.value { return n }
        return nil
    }

    func flag(_ key: String) -> Bool? {
        if case .flag(let b)? = entries[key]?.value { return b }
        return nil
    }

    func list(_ key: String) -> [String]? {
        if case .list(let l)? = entries[key]?.value { return l }
        return nil
    }

    /// `path:line` of a key, for saying where an effective setting came from.
    func origin(_ key: String) -> String? { entries[key].map { "\(path):\($0.line)" } }
}

/// A configuration file that cannot be used as written: where, which key, what is wrong.
struct ConfigFileError: Error, CustomStringConvertible {
    let path: String
    let line: Int?
    let key: String?
    let message: String

    init(path: String, line: Int?, key: String?, _ message: String) {
        self.path = path
        self.line = line
        self.key = key
        self.message = message
    }

    var description: String {
        path + (line.map { ":\($0)" } ?? "") + ": " + (key.map { "\($0): " } ?? "") + message
    }
}
