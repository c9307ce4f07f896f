#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A libpq password file (`PGPASSFILE`, else `~/.pgpass`): lines `host:port:database:user:password`,
/// `*` matching anything, `\:` and `\\` escaped, `#` starting a comment; the first matching line wins.
/// As libpq does, a file that group or others may read is not used.
struct PasswordFile {
    let path: String
    let text: String

    /// nil when there is no such file. A file readable by others is an error, not silently skipped:
    /// the forwarder would otherwise fail later with a wrong-password error that hides why.
    static func load(environment: [String: String]) throws(FleetError) -> PasswordFile? {
        let path: String
        if let named = environment["PGPASSFILE"], !named.isEmpty {
            path = named
        } else if let home = environment["HOME"], !home.isEmpty {
            path = home + "/.pgpass"
        } else {
            return nil
        }
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        guard info.st_mode & 0o077 == 0 else {
            throw FleetError(.invalidURL, "the password file \(path) may be read by group or others; chmod 0600 \(path)")
        }
        guard let file = fopen(path, "r") else {
            throw FleetError(.invalidURL, "cannot read the password file \(path): \(String(cString: strerror(errno))); check that this user may read it")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes += buffer[0..<n]
            if bytes.count > 1 << 20 { break }
        }
        return PasswordFile(path: path, text: String(decoding: bytes, as: UTF8.self))
    }

    /// The password of the first line matching all four fields.
    func password(host: String, port: Int, database: String, user: String) -> String? {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("#") { continue }
            let fields = Self.fields(String(line))
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// Splits at unescaped colons, undoing `\:` and `\\`; the password field keeps any further colons.
    static func fields(_ line: String) -> [String] {
        var fields: [String] = [""]
        var escaped = false
        for character in line {
            if escaped {
                fields[fields.count - 1].append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" && fields.count < 5 {
                fields.append("")
            } else {
                fields[fields.count - 1].append(character)
            }
        }
        return fields
    }
}
