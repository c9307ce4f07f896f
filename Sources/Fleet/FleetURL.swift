#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the fleet's PostgreSQL is: `postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=…]`, or a
/// socket directory as libpq takes it (`postgresql://USER@/DB?host=/run/postgresql`). The password comes
/// from the URL, else `PGPASSWORD`, else the password file (`PGPASSFILE`, else `~/.pgpass`); the CA
/// certificate for verify-ca and verify-full from `sslrootcert`, else `PGSSLROOTCERT`, else
/// `~/.postgresql/root.crt`.
/// `description` never shows the password.
public struct FleetURL: Sendable, CustomStringConvertible, Equatable {
    /// What libpq's `sslmode` means here: `disable` never, `prefer` if the server offers it, `require`
    /// always (neither checks the certificate, as with libpq, except that `require` with a CA certificate
    /// configured checks the chain as `verify-ca` does); `verify-ca` checks that the server's certificate
    /// chains to the CA certificate (`rootCertificate`), `verify-full` also that it names the URL's host.
    public enum SSLMode: String, Sendable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"

        var verifies: Bool { self == .verifyCA || self == .verifyFull }
    }

    public var user: String
    public var password: String?
    /// A host name or address, or for a socket, the directory holding `.s.PGSQL.PORT`.
    public var host: String
    public var isSocket: Bool { host.hasPrefix("/") }
    public var port: Int
    public var database: String
    public var sslMode: SSLMode
    /// The CA certificates (PEM) the server's certificate must chain to, as libpq finds them:
    /// `sslrootcert=FILE` in the URL, else `PGSSLROOTCERT`, else `~/.postgresql/root.crt` when it exists;
    /// `system` for the system's trusted CAs. Nil when none is configured.
    public var rootCertificate: String?
    /// Whether the password was written in the URL (then `description` shows `:***`).
    var passwordInURL: Bool
    /// Whether `sslrootcert` was written in the URL (then `description` shows it).
    var rootCertificateInURL = false
    /// Where the password came from: `URL`, `PGPASSWORD`, the password file's path, or nil without one.
    public var passwordSource: String?

    /// The URL with its password masked: `postgresql://audit:***@127.0.0.1:5432/audit`.
    public var description: String {
        let credentials = Self.encode(user) + (passwordInURL ? ":***" : "")
        if isSocket { return "postgresql://\(credentials)@:\(port)/\(Self.encode(database))?host=\(host)" }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        var parameters = sslMode == .prefer ? [] : ["sslmode=\(sslMode.rawValue)"]
        if let rootCertificate, rootCertificateInURL { parameters.append("sslrootcert=\(Self.encode(rootCertificate))") }
        let shownParameters = parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&")
        return "postgresql://\(credentials)@\(shownHost):\(port)/\(Self.encode(database))\(shownParameters)"
    }

    /// Parses `text`, then looks for a password where libpq would when the URL has none.
    public static func parse(_ text: String, environment: [String: String]) throws(FleetError) -> FleetURL {
        var url = try parseURL(text)
        if url.password == nil, let password = environment["PGPASSWORD"], !password.isEmpty {
            url.password = password
            url.passwordSource = "PGPASSWORD"
        }
        if url.rootCertificate == nil, let given = environment["PGSSLROOTCERT"], !given.isEmpty {
            url.rootCertificate = given
        }
        if url.rootCertificate == nil, let home = environment["HOME"], !home.isEmpty, access(home + "/.postgresql/root.crt", F_OK) == 0 {
            url.rootCertificate = home + "/.postgresql/root.crt"
        }
        if url.sslMode.verifies && url.rootCertificate == nil {
            throw .invalidURL(url.description, """
                sslmode=\(url.sslMode.rawValue) checks the server's certificate against a CA certificate, and none is configured: add \
                sslrootcert=FILE (the CA's PEM file) or sslrootcert=system to the URL, set PGSSLROOTCERT, or put it at ~/.postgresql/root.crt
                """)
        }
        if url.password == nil, let file = try PasswordFile.load(environment: environment) {
            let host = url.isSocket ? "localhost" : url.host
            if let password = file.password(host: host, port: url.port, database: url.database, user: url.user)
                ?? (url.isSocket ? file.password(host: url.host, port: url.port, database: url.database, user: url.user) : nil) {
                url.password = password
                url.passwordSource = file.path
            }
        }
        return url
    }

    /// The URL alone, no environment.
    static func parseURL(_ text: String) throws(FleetError) -> FleetURL {
        let shown = masked(text)
        var rest = Substring(text)
        guard let scheme = ["postgresql://", "postgres://"].first(where: { rest.prefix($0.count).lowercased() == $0 }) else {
            throw .invalidURL(shown, "it must start with postgresql://")
        }
        rest = rest.dropFirst(scheme.count)
        var query: [String: String] = [:]
        if let mark = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: mark)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, let key = decode(parts[0]), let value = decode(parts[1]) else {
                    throw .invalidURL(shown, "the parameter \"\(pair)\" is not KEY=VALUE")
                }
                query[key] = value
            }
            rest = rest[..<mark]
        }
        for key in query.keys where !["sslmode", "sslrootcert", "host", "port"].contains(key) {
            throw .invalidURL(shown, "unknown parameter \"\(key)\" (audit understands sslmode, sslrootcert, host and port)")
        }
        guard let slash = rest.firstIndex(of: "/") else { throw .invalidURL(shown, "no database: add /DB after the host") }
        guard let database = decode(rest[rest.index(after: slash)...]), !database.isEmpty else {
            throw .invalidURL(shown, "no database: add /DB after the host")
        }
        var authority = rest[..<slash]
        guard let at = authority.lastIndex(of: "@") else { throw .invalidURL(shown, "no user: write USER@ before the host") }
        let userInfo = authority[..<at]
        authority = authority[authority.index(after: at)...]
        let colon = userInfo.firstIndex(of: ":")
        guard let user = decode(userInfo[..<(colon ?? userInfo.endIndex)]), !user.isEmpty else {
            throw .invalidURL(shown, "no user: write USER@ before the host")
        }
        let password = colon.flatMap { decode(userInfo[userInfo.index(after: $0)...]) }
        var host: String
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidURL(shown, "an IPv6 address needs its closing ]") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { throw .invalidURL(shown, "unexpected \"\(after)\" after the address") }
        } else if let portColon = authority.lastIndex(of: ":") {
            host = String(authority[..<portColon])
            portText = authority[authority.index(after: portColon)...]
        } else {
            host = String(authority)
        }
        if let socket = query["host"] {
            guard socket.hasPrefix("/") else { throw .invalidURL(shown, "host=\(socket) must be a socket directory (an absolute path); put a host name before the /DB") }
            host = socket
        }
        guard !host.isEmpty else { throw .invalidURL(shown, "no host: write @HOST[:PORT] or ?host=/socket/dir") }
        if let given = query["port"] { portText = Substring(given) }
        var port = 5432
        if let portText, !portText.isEmpty {
            guard let number = Int(portText), (1...65535).contains(number) else { throw .invalidURL(shown, "the port \"\(portText)\" is not a number from 1 to 65535") }
            port = number
        }
        let modeText = query["sslmode"] ?? "prefer"
        guard let sslMode = SSLMode(rawValue: modeText) else {
            throw .invalidURL(shown, "sslmode=\(modeText) is not disable, prefer, require, verify-ca or verify-full (allow is not supported)")
        }
        if let given = query["sslrootcert"], given.isEmpty {
            throw .invalidURL(shown, "sslrootcert is empty: name the CA certificate's PEM file, or system")
        }
        var url = FleetURL(user: user, password: password, host: host, port: port, database: database,
                           sslMode: host.hasPrefix("/") ? .disable : sslMode, rootCertificate: query["sslrootcert"], passwordInURL: password != nil,
                           passwordSource: password == nil ? nil : "URL")
        url.rootCertificateInURL = query["sslrootcert"] != nil
        return url
    }

    /// `text` with whatever lies between `USER:` and `@` replaced by `***`, for errors about a URL that did not parse.
    public static func masked(_ text: String) -> String {
        guard let start = text.range(of: "://"), let at = text[start.upperBound...].lastIndex(of: "@") else { return text }
        let userInfo = text[start.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }

    /// Percent-decoding; nil for a malformed escape or bytes that are not UTF-8.
    static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var i = text.utf8.startIndex
        let utf8 = text.utf8
        while i < utf8.endIndex {
            let byte = utf8[i]
            if byte == UInt8(ascii: "%") {
                let h = utf8.index(after: i)
                guard h < utf8.endIndex, utf8.index(after: h) < utf8.endIndex,
                      let value = UInt8(String(decoding: [utf8[h], utf8[utf8.index(after: h)]], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
                i = utf8.index(h, offsetBy: 2)
            } else {
                bytes.append(byte)
                i = utf8.index(after: i)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
