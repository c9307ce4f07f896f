/// CPU counts as operators write them.
public enum CPUs {
    /// `1500000000` NanoCpus → `1.5`.
    public static func describe(nanoCpus: Int64) -> String {
        let value = Double(nanoCpus) / 1e9
        return value == value.rounded() ? String(Int64(value)) : String(value)
    }
}

/// Masks values that look like secrets before they reach a terminal, a report or a log.
public enum SecretMask {
    static let markers = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY", "CREDENTIAL", "AUTH"]

    public static func looksSecret(_ key: String) -> Bool {
        let upper = key.uppercased()
        return markers.contains { upper.contains($0) }
    }

    public static func value(_ value: String?, forKey key: String) -> String? {
        guard let value else { return nil }
        return looksSecret(key) ? "***" : value
    }

    /// Masks `--password=x`, `--token x`, `TOKEN=x` style arguments in a command line.
    public static func command(_ command: String) -> String {
        var out: [String] = []
        var maskNext = false
        for word in command.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            if maskNext { out.append("***"); maskNext = false; continue }
            if let eq = word.firstIndex(of: "="), looksSecret(String(word[..<eq])) {
                out.append(String(word[...eq]) + "***")
            } else if word.hasPrefix("-") && looksSecret(word) {
                out.append(word)
                maskNext = true
            } else {
                out.append(word)
            }
        }
        return out.joined(separator: " ")
    }
}
