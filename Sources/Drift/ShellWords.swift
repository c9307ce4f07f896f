/// Splits a command string into words the way compose does (POSIX shell quoting,
/// no expansion), so `command: echo "a b"` becomes `["echo", "a b"]`.
enum ShellWords {
    struct Unterminated: Error {}

    static func split(_ text: String) throws(Unterminated) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaping = false
        for c in text {
            if escaping {
                // Inside double quotes a backslash only escapes a few characters.
                if quote == "\"" && !["\"", "\\", "$", "`"].contains(c) { current.append("\\") }
                current.append(c)
                escaping = false
                continue
            }
            switch (quote, c) {
            case ("'", "'"), ("\"", "\""):
                quote = nil
            case ("'", _):
                current.append(c)
            case (_, "\\"):
                escaping = true
                inWord = true
            case (nil, "'"), (nil, "\""):
                quote = c
                inWord = true
            case (nil, " "), (nil, "\t"), (nil, "\n"):
                if inWord { words.append(current) }
                current = ""
                inWord = false
            default:
                current.append(c)
                inWord = true
            }
        }
        if quote != nil || escaping { throw Unterminated() }
        if inWord { words.append(current) }
        return words
    }
}
