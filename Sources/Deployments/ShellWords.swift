/// Splits a shell command line into words and control operators, enough to read the arguments of the
/// docker commands a CI script runs: quotes, backslash escapes and `$VAR` expansion from a known
/// environment. Anything fancier (substitutions, globs) stays literal.
enum ShellWords {
    enum Token: Equatable {
        case word(String)
        /// `&&`, `||`, `;`, `|` or `&`: the end of one simple command.
        case control(String)
    }

    /// Tokens of `line`. `$NAME` and `${NAME}` found in `environment` expand; others are kept as written.
    static func split(_ line: String, environment: [String: String] = [:]) -> [Token] {
        var tokens: [Token] = []
        var word = ""
        var inWord = false
        var dropNextWord = false
        var chars = Array(line)[...]

        func finishWord() {
            if inWord, !dropNextWord { tokens.append(.word(word)) }
            if inWord { dropNextWord = false }
            word = ""
            inWord = false
        }

        while let c = chars.popFirst() {
            switch c {
            case " ", "\t":
                finishWord()
            case "#" where !inWord:
                // A comment runs to the end of the line.
                chars = []
            case ";", "|", "&":
                finishWord()
                if let next = chars.first, next == c, c != ";" {
                    chars.removeFirst()
                    tokens.append(.control(String([c, c])))
                } else {
                    tokens.append(.control(String(c)))
                }
            case ">", "<":
                // A redirection is not an argument: drop its fd number and its target.
                if inWord, word.allSatisfy(\.isNumber) { word = ""; inWord = false }
                finishWord()
                if chars.first == ">" { chars.removeFirst() }
                if chars.first == "&" {
                    chars.removeFirst()
                    while let d = chars.first, d.isNumber || d == "-" { chars.removeFirst() }
                } else {
                    dropNextWord = true
                }
            case "'":
                inWord = true
                while let q = chars.popFirst(), q != "'" { word.append(q) }
            case "\"":
                inWord = true
                while let q = chars.popFirst(), q != "\"" {
                    if q == "\\", let escaped = chars.first, "\"\\$`".contains(escaped) {
                        word.append(chars.removeFirst())
                    } else if q == "$" {
                        word += expand(&chars, environment)
                    } else {
                        word.append(q)
                    }
                }
            case "\\":
                inWord = true
                if let escaped = chars.popFirst() { word.append(escaped) }
            case "$":
                inWord = true
                word += expand(&chars, environment)
            default:
                inWord = true
                word.append(c)
            }
        }
        finishWord()
        return tokens
    }

    /// `arguments` as one line a shell splits back into the same words: words with anything but
    /// letters, digits and `-_./=:,@%+` are single-quoted.
    static func line(_ arguments: [String]) -> String {
        arguments.map { word in
            let plain = !word.isEmpty && word.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric || "-_./=:,@%+".unicodeScalars.contains($0) }
            // Without Foundation: the fuzz harnesses build this module against FoundationEssentials alone.
            return plain ? word : "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
        }.joined(separator: " ")
    }

    /// The words of each simple command in `line`, split at control operators.
    static func commands(_ line: String, environment: [String: String] = [:]) -> [[String]] {
        var out: [[String]] = [[]]
        for token in split(line, environment: environment) {
            switch token {
            case .word(let w): out[out.count - 1].append(w)
            case .control: out.append([])
            }
        }
        return out.filter { !$0.isEmpty }
    }

    /// Expands the variable after a `$` (already consumed) when known; otherwise returns it as written.
    private static func expand(_ chars: inout ArraySlice<Character>, _ environment: [String: String]) -> String {
        var name = ""
        var written = "$"
        if chars.first == "(" {
            // A command substitution stays one literal word: its output is not in the log.
            var depth = 0
            while let c = chars.popFirst() {
                written.append(c)
                if c == "(" { depth += 1 } else if c == ")" { depth -= 1; if depth == 0 { break } }
            }
            return written
        }
        if chars.first == "{" {
            chars.removeFirst()
            while let c = chars.popFirst(), c != "}" { name.append(c) }
            written += "{\(name)}"
        } else {
            while let c = chars.first, c.isLetter || c.isNumber || c == "_" {
                name.append(c)
                chars.removeFirst()
            }
            written += name
        }
        return environment[name] ?? written
    }
}
