/// CPU counts as operators write them.
public enum CPUs {
    /// `1500000000` NanoCpus → `1.5`.
    public static func describe(nanoCpus: Int64) -> String {
        let value = Double(nanoCpus) / 1e9
        return value == value.rounded() ? String(Int64(value)) : String(value)
    }
}

/// Masks values that look like secrets before they reach a terminal, a report or a log. The forms
/// covered, and their tests, are the README's table: `KEY=value` for secret-looking names,
/// `--password value` and `--password=value`, mysql's `-pvalue`, `Authorization: Bearer value`
/// (and Basic, Token), and the password in `scheme://user:password@host`.
public enum SecretMask {
    /// Found anywhere in a name.
    static let markers = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY", "CREDENTIAL", "AUTH", "PRIVATE"]
    /// Found as a whole word of a name (`PASS`, `DB_PASS`, `--pass`), so `BYPASS_CACHE` stays readable.
    static let words: Set<String> = ["PASS", "PW"]
    /// Programs whose `-p<value>` is a password (mysql, mariadb and their tools).
    static let passwordDashP = ["mysql", "mysqldump", "mysqladmin", "mysqlimport", "mysqlshow", "mariadb", "mariadb-dump", "mariadb-admin"]
    static let authorizationSchemes = ["bearer", "basic", "token", "digest"]
    static let mask = "***"

    public static func looksSecret(_ key: String) -> Bool {
        let upper = key.uppercased()
        if markers.contains(where: { upper.contains($0) }) { return true }
        return upper.split { !$0.isLetter && !$0.isNumber }.contains { words.contains(String($0)) }
    }

    public static func value(_ value: String?, forKey key: String) -> String? {
        guard let value else { return nil }
        return looksSecret(key) ? mask : value
    }

    /// The command line with the secrets of every form above masked; spacing and quoting are kept,
    /// so the line still reads as what was run.
    public static func command(_ command: String) -> String {
        var out: [String] = []
        var maskNext = false
        var dashPIsPassword = false
        // A masked value that opened a quote runs to the word that closes it: `PASSWORD='correct horse'`.
        var openQuote: Character?
        for word in command.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            if let quote = openQuote {
                // The rest of the value is dropped; what follows its closing quote is kept.
                if let close = word.firstIndex(of: quote), !out.isEmpty {
                    out[out.count - 1] += String(word[close...])
                    openQuote = nil
                }
                continue
            }
            if let quote = unclosedQuote(afterMasking: word, maskNext: maskNext) { openQuote = quote }
            if maskNext, !word.isEmpty {
                out.append(quotesKept(word, masked: mask))
                maskNext = false
                continue
            }
            let bare = unquoted(word)
            let program = bare.split(separator: "/").last.map(String.init) ?? bare
            if passwordDashP.contains(program) { dashPIsPassword = true }

            if let eq = bare.firstIndex(of: "="), looksSecret(String(bare[..<eq])) {
                // The value ends where the shell's next command or group begins (`KEY=x; ./run`).
                let rest = bare[bare.index(after: eq)...]
                let end = rest.firstIndex { ";&|)`".contains($0) } ?? rest.endIndex
                let opening = rest.first.map { $0 == "'" || $0 == "\"" ? String($0) : "" } ?? ""
                out.append(quotesKept(word, masked: String(bare[...eq]) + opening + mask + String(rest[end...])))
            } else if bare.hasPrefix("-") && !bare.contains("=") && looksSecret(bare) {
                out.append(word)
                maskNext = true
            } else if dashPIsPassword, bare.hasPrefix("-p"), bare.count > 2, !bare.hasPrefix("--") {
                out.append(quotesKept(word, masked: "-p" + mask))
            } else if authorizationSchemes.contains(bare.lowercased()), out.last.map({ unquoted($0).lowercased().hasSuffix("authorization:") }) ?? false {
                out.append(word)
                maskNext = true
            } else if let masked = urlWithoutPassword(word) {
                out.append(masked)
            } else {
                out.append(word)
            }
        }
        return out.joined(separator: " ")
    }

    /// `https://user:pass@host/…` → `https://user:***@host/…`; nil when the word has no such password.
    static func urlWithoutPassword(_ word: String) -> String? {
        let chars = Array(word)
        var start: Int?
        for i in 0..<max(0, chars.count - 2) where chars[i] == ":" && chars[i + 1] == "/" && chars[i + 2] == "/" {
            start = i + 3
            break
        }
        guard let start else { return nil }
        var end = start
        while end < chars.count, !["/", "?", "#"].contains(chars[end]) { end += 1 }
        guard let at = chars[start..<end].lastIndex(of: "@"), let colon = chars[start..<at].firstIndex(of: ":") else { return nil }
        return String(chars[...colon]) + mask + String(chars[at...])
    }

    /// The quote a secret value opens in `word` and does not close there, if `word` is masked.
    private static func unclosedQuote(afterMasking word: String, maskNext: Bool) -> Character? {
        let value: Substring
        if maskNext {
            value = Substring(word)
        } else if let eq = word.firstIndex(of: "="), looksSecret(unquoted(String(word[..<eq]))) {
            value = word[word.index(after: eq)...]
        } else {
            return nil
        }
        guard let quote = value.first, quote == "'" || quote == "\"" else { return nil }
        return value.dropFirst().contains(quote) ? nil : quote
    }

    /// The word without the shell quotes around it.
    private static func unquoted(_ word: String) -> String {
        var s = Substring(word)
        while let first = s.first, first == "'" || first == "\"" { s = s.dropFirst() }
        while let last = s.last, last == "'" || last == "\"" { s = s.dropLast() }
        return String(s)
    }

    /// `masked` with the quotes `word` had around it.
    private static func quotesKept(_ word: String, masked: String) -> String {
        let leading = word.prefix { $0 == "'" || $0 == "\"" }
        let trailing = String(word.reversed().prefix { $0 == "'" || $0 == "\"" }.reversed())
        return leading + masked + (leading.count == word.count ? "" : trailing)
    }
}
