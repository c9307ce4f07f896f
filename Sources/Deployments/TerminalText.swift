/// Turns captured terminal output into plain text lines: CI logs keep the escape sequences and
/// carriage returns the programs wrote for a terminal.
enum TerminalText {
    /// Splits at `\n`, then each line at `\r`: a carriage return starts a new segment because progress
    /// output (compose v1, GitLab's section markers) overwrites the line with new content. A leading
    /// UTF-8 byte order mark, as GitHub puts on its raw logs, is dropped.
    static func lines(_ text: String) -> [[ArraySlice<UInt8>]] {
        var bytes = Array(text.utf8)[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        return bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            line.split(separator: 0x0D, omittingEmptySubsequences: false)
        }
    }

    /// The text without ANSI escape sequences. Concealed text (`ESC[8m … ESC[0m`) is dropped too:
    /// Jenkins hides its console annotations that way, and they are not output.
    static func plain<C: Collection<UInt8>>(_ bytes: C) -> String where C.Index == Int {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var concealed = false
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            guard b == 0x1B else {
                if !concealed { out.append(b) }
                i += 1
                continue
            }
            i += 1
            guard i < bytes.endIndex else { break }
            switch bytes[i] {
            case UInt8(ascii: "["):
                // CSI: parameter bytes 0x30–0x3F, intermediates 0x20–0x2F, one final byte 0x40–0x7E.
                i += 1
                let paramStart = i
                while i < bytes.endIndex, (0x20...0x3F).contains(bytes[i]) { i += 1 }
                if i < bytes.endIndex, bytes[i] == UInt8(ascii: "m") {
                    concealed = conceals(Array(bytes[paramStart..<i]), wasConcealed: concealed)
                }
                i += 1
            case UInt8(ascii: "]"):
                // OSC (titles, hyperlinks): runs to BEL or ST (ESC \).
                i += 1
                while i < bytes.endIndex, bytes[i] != 0x07, bytes[i] != 0x1B { i += 1 }
                if i < bytes.endIndex, bytes[i] == 0x1B { i += 1 }
                i += 1
            default:
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether text after an SGR sequence with `params` is concealed (8 on; 0, 28 or empty off). The
    /// arguments of extended colours (`38;5;8`) are skipped so a colour index is not read as 8.
    private static func conceals(_ params: [UInt8], wasConcealed: Bool) -> Bool {
        let codes = params.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false).map { Int(String(decoding: $0, as: UTF8.self)) ?? 0 }
        var concealed = wasConcealed
        var k = 0
        while k < codes.count {
            switch codes[k] {
            case 0, 28: concealed = false
            case 8: concealed = true
            case 38, 48, 58:
                k += (k + 1 < codes.count && codes[k + 1] == 5) ? 3 : 5
                continue
            default: break
            }
            k += 1
        }
        return concealed
    }
}
