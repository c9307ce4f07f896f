import AuditSupport

/// Left-aligned columns for terminals; the last column is never padded. Cells are shown with their
/// control characters escaped (`VisibleText`): a newline or an escape sequence inside a cell would
/// forge or erase rows.
enum Table {
    static func render(header: [String], rows rawRows: [[String]]) -> [String] {
        let rows = rawRows.map { $0.map { VisibleText.escaped($0) } }
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var out = ""
            for (i, cell) in cells.enumerated() {
                if i == cells.count - 1 { out += cell } else { out += cell + String(repeating: " ", count: widths[i] - cell.count + 2) }
            }
            return out
        }
        return [line(header)] + rows.map(line)
    }
}
