#if canImport(Glibc)
import Glibc
#endif

/// Gives back the clean file pages start-up touched.
///
/// Starting a Swift binary pulls in megabytes of code and metadata it never runs again (argument
/// parsing, conformance tables scanned once, OpenSSL's set-up inside libcurl), and the kernel maps
/// 64 KiB around every fault. For a collector that then idles on a socket those pages are most of its
/// resident set. They are unmodified file pages: dropping them from this process loses nothing (they
/// stay in the page cache and fault back in if used) and leaves the resident set close to the working
/// set. Only mappings the process cannot write and never wrote (no anonymous, copy-on-write pages) are
/// touched, so no relocated data or heap is ever discarded.
enum ResidentPages {
    /// Returns how many bytes were resident in the mappings it released.
    @discardableResult
    static func releaseCleanFilePages() -> Int {
        #if os(Linux)
        guard let smaps = readAll("/proc/self/smaps") else { return 0 }
        var released = 0
        var current: (start: UInt, end: UInt, eligible: Bool)?
        var resident = 0
        var anonymous = 0
        func finish() {
            guard let m = current, m.eligible, anonymous == 0, resident > 0 else { return }
            guard let address = UnsafeMutableRawPointer(bitPattern: m.start) else { return }
            // Random access from now on: no 64 KiB fault-around bringing neighbours back.
            _ = madvise(address, Int(m.end - m.start), MADV_RANDOM)
            if madvise(address, Int(m.end - m.start), MADV_DONTNEED) == 0 { released += resident }
        }
        for line in smaps.split(separator: UInt8(ascii: "\n")) {
            if let header = mappingHeader(line) {
                finish()
                current = header
                resident = 0
                anonymous = 0
            } else if line.starts(with: "Rss:".utf8) {
                resident = kilobytes(line) * 1024
            } else if line.starts(with: "Anonymous:".utf8) {
                anonymous = kilobytes(line)
            } else if line.starts(with: "Locked:".utf8), kilobytes(line) > 0 {
                current?.eligible = false
            }
        }
        finish()
        return released
        #else
        return 0
        #endif
    }

    /// `start-end perms offset dev inode path`: eligible when backed by a file and not writable.
    private static func mappingHeader(_ line: ArraySlice<UInt8>) -> (start: UInt, end: UInt, eligible: Bool)? {
        let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        guard fields.count >= 5, let dash = fields[0].firstIndex(of: UInt8(ascii: "-")),
              let start = UInt(String(decoding: fields[0][..<dash], as: UTF8.self), radix: 16),
              let end = UInt(String(decoding: fields[0][(dash + 1)...], as: UTF8.self), radix: 16),
              fields[1].count == 4 else { return nil }
        let perms = Array(fields[1])
        let path = fields.count >= 6 ? fields[5] : []
        let fileBacked = path.first == UInt8(ascii: "/")
        return (start, end, fileBacked && perms[1] != UInt8(ascii: "w") && perms[3] == UInt8(ascii: "p"))
    }

    private static func kilobytes(_ line: ArraySlice<UInt8>) -> Int {
        var value = 0
        for b in line where b >= 48 && b <= 57 { value = value * 10 + Int(b - 48) }
        return value
    }

    private static func readAll(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }
}
