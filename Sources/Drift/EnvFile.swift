#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Parser for `.env`, `--env-file` and service `env_file` files.
///
/// Follows the dotenv dialect compose uses: `KEY=VALUE`, optional `export `,
/// `#` comments, single quotes literal, double quotes with escapes, and
/// `${VAR}` references to earlier keys or to the given environment.
enum EnvFile {
    /// One line of the file; `value` is nil for a bare `KEY`, which means
    /// "take it from the environment" in `env_file`.
    struct Entry: Equatable, Sendable {
        let key: String
        let value: String?
    }

    static func read(path: String, environment: [String: String]) throws -> [Entry] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DriftError("env file \(path): cannot be read")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path, environment: environment)
    }

    static func parse(_ text: String, file: String, environment: [String: String]) throws -> [Entry] {
        var entries: [Entry] = []
        var known: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let eq = line.firstIndex(of: "=") else {
                entries.append(Entry(key: line, value: nil))
                continue
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, !key.contains(" ") else {
                throw DriftError("env file \(file) line \(index + 1): invalid variable name \"\(key)\"")
            }
            let raw = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            // Earlier keys win over nothing but lose to the environment, as in compose.
            let lookup = Interpolator(variables: known.merging(environment) { _, env in env })
            let value: String
            do {
                value = try unquote(raw, lookup: lookup)
            } catch {
                throw DriftError("env file \(file) line \(index + 1): \(error.problem)")
            }
            known[key] = value
            entries.append(Entry(key: key, value: value))
        }
        return entries
    }

    private static func unquote(_ raw: String, lookup: Interpolator) throws(Interpolator.Failure) -> String {
        if raw.count >= 2, raw.hasPrefix("'"), raw.hasSuffix("'") {
            return String(raw.dropFirst().dropLast())
        }
        if raw.count >= 2, raw.hasPrefix("\""), raw.hasSuffix("\"") {
            var out = ""
            var escaping = false
            for c in raw.dropFirst().dropLast() {
                if escaping {
                    switch c {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    default: out.append(c)
                    }
                    escaping = false
                } else if c == "\\" {
                    escaping = true
                } else {
                    out.append(c)
                }
            }
            return try lookup.interpolate(out)
        }
        // An unquoted value ends at a " #" comment.
        var value = raw
        if let hash = value.range(of: " #") { value = String(value[..<hash.lowerBound]).trimmingCharacters(in: .whitespaces) }
        return try lookup.interpolate(value)
    }
}
