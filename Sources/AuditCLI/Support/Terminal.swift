#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import AuditSupport

/// Writes to stdout/stderr without Foundation. Data goes to stdout, messages to stderr. Every stdout
/// line is one call, written with its control characters escaped (`VisibleText`), line breaks
/// included, whatever produced it: a renderer that forgot to escape a value cannot let it drive the
/// terminal or forge a line. Messages to stderr keep their line breaks.
enum Terminal {
    static func out(_ text: String) {
        var line = VisibleText.escaped(text)
        line += "\n"
        write(1, line)
    }

    static func error(_ text: String, newline: Bool = true) {
        let safe = VisibleText.escaped(text, keepingLineBreaks: true)
        write(2, newline ? safe + "\n" : safe)
    }

    /// Collects output and writes it in large blocks: listing 100k events must not cost 100k syscalls.
    struct Buffered: ~Copyable {
        private var text = ""
        init() { text.reserveCapacity(1 << 16) }
        mutating func line(_ s: String) {
            text += VisibleText.escaped(s)
            text += "\n"
            if text.utf8.count >= 1 << 16 { flush() }
        }
        mutating func flush() {
            Terminal.write(1, text)
            text.removeAll(keepingCapacity: true)
        }
        deinit { Terminal.write(1, text) }
    }

    fileprivate static func write(_ fd: Int32, _ text: String) {
        var copy = text
        copy.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { if errno == EINTR { continue }; return }
                offset += n
            }
        }
    }
}
