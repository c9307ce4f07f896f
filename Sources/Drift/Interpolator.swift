/// Compose variable interpolation (`$VAR`, `${VAR:-default}`, `$$` ...), as the
/// Compose Specification's "Interpolation" section defines it.
///
/// Pure: variables come from the dictionary it is given, never from the process.
struct Interpolator: Sendable {
    let variables: [String: String]

    /// Why a template could not be interpolated; the caller adds file and line.
    enum Failure: Error, Equatable {
        case required(variable: String, message: String)
        case invalid(template: String)
    }

    func interpolate(_ text: String) throws(Failure) -> String {
        guard text.contains("$") else { return text }
        let chars = Array(text)
        var out = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            guard c == "$" else {
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < chars.count else { throw .invalid(template: text) }
            let next = chars[i + 1]
            if next == "$" {
                out.append("$")
                i += 2
            } else if next == "{" {
                guard let close = Self.matchingBrace(chars, open: i + 1) else { throw .invalid(template: text) }
                out += try expandBraced(String(chars[(i + 2)..<close]), template: text)
                i = close + 1
            } else if Self.isNameStart(next) {
                var end = i + 1
                while end < chars.count, Self.isNameChar(chars[end]) { end += 1 }
                out += variables[String(chars[(i + 1)..<end])] ?? ""
                i = end
            } else {
                throw .invalid(template: text)
            }
        }
        return out
    }

    /// Expands the inside of `${...}`; defaults and alternatives may nest further templates.
    private func expandBraced(_ body: String, template: String) throws(Failure) -> String {
        let chars = Array(body)
        var nameEnd = 0
        while nameEnd < chars.count, Self.isNameChar(chars[nameEnd]) { nameEnd += 1 }
        let name = String(chars[0..<nameEnd])
        guard let first = name.first, Self.isNameStart(first) else { throw .invalid(template: template) }
        let value = variables[name]
        if nameEnd == chars.count { return value ?? "" }

        var opStart = nameEnd
        let colon = chars[opStart] == ":"
        if colon { opStart += 1 }
        guard opStart < chars.count else { throw .invalid(template: template) }
        let op = chars[opStart]
        let argument = String(chars[(opStart + 1)...])
        // With a colon, an empty value counts as unset.
        let isSet = colon ? !(value ?? "").isEmpty : value != nil
        switch op {
        case "-":
            return isSet ? value! : try interpolate(argument)
        case "?":
            if isSet { return value! }
            throw .required(variable: name, message: try interpolate(argument))
        case "+":
            return isSet ? try interpolate(argument) : ""
        default:
            throw .invalid(template: template)
        }
    }

    private static func matchingBrace(_ chars: [Character], open: Int) -> Int? {
        var depth = 0
        var i = open
        while i < chars.count {
            if chars[i] == "{" { depth += 1 }
            if chars[i] == "}" {
                depth -= 1
                if depth == 0 { return i }
            }
            i += 1
        }
        return nil
    }

    private static func isNameStart(_ c: Character) -> Bool {
        c == "_" || (c.isASCII && c.isLetter)
    }

    private static func isNameChar(_ c: Character) -> Bool {
        isNameStart(c) || (c.isASCII && c.isNumber)
    }
}

extension Interpolator.Failure {
    /// The lowercase problem text, without location.
    var problem: String {
        switch self {
        case .required(let variable, let message):
            return message.isEmpty
                ? "required variable \(variable) is missing a value"
                : "required variable \(variable) is missing a value: \(message)"
        case .invalid(let template):
            return "invalid interpolation format in \"\(template)\""
        }
    }
}
