import AuditSupport

/// Markdown table cells: a `|` would split the cell, a newline end the row, a control character
/// reach the reader's terminal when the report is printed rather than rendered.
enum Markdown {
    static func cell(_ text: String) -> String {
        VisibleText.escaped(text).replacingOccurrences("|", "\\|")
    }
}
