@testable import Fleet
import Foundation
import Testing

struct FleetURLTests {
    @Test func aURLWithItsPasswordIsShownMasked() throws {
        let url = try FleetURL.parse("postgresql://audit:s3cret@127.0.0.1:5432/audit", environment: [:])
        #expect(url.user == "audit")
        #expect(url.password == "s3cret")
        #expect(url.passwordSource == "URL")
        #expect(url.host == "127.0.0.1")
        #expect(url.port == 5432)
        #expect(url.database == "audit")
        #expect(url.sslMode == .prefer)
        #expect(url.description == "postgresql://audit:***@127.0.0.1:5432/audit")
    }

    /// URL schemes are case-insensitive (RFC 3986): an upper-case one is the fleet's URL, not a file name.
    @Test func theSchemeIsCaseInsensitive() throws {
        let url = try FleetURL.parse("POSTGRESQL://audit:s3cret@127.0.0.1/audit", environment: [:])
        #expect(url.password == "s3cret" && url.database == "audit")
        #expect(url.description == "postgresql://audit:***@127.0.0.1:5432/audit")
    }

    @Test func theDefaultsAreLibpqs() throws {
        let url = try FleetURL.parse("postgres://fleet@db.example.internal/events?sslmode=require", environment: [:])
        #expect(url.port == 5432)
        #expect(url.sslMode == .require)
        #expect(url.password == nil)
        #expect(url.description == "postgresql://fleet@db.example.internal:5432/events?sslmode=require")
    }

    @Test func percentEscapesAndIPv6() throws {
        let url = try FleetURL.parse("postgresql://a%40b:p%3Aw%2Fd@[::1]:6543/my%20db?sslmode=disable", environment: [:])
        #expect(url.user == "a@b")
        #expect(url.password == "p:w/d")
        #expect(url.host == "::1")
        #expect(url.port == 6543)
        #expect(url.database == "my db")
        #expect(url.description == "postgresql://a%40b:***@[::1]:6543/my%20db?sslmode=disable")
    }

    @Test func aSocketDirectoryAsLibpqTakesIt() throws {
        let url = try FleetURL.parse("postgresql://audit@/audit?host=/run/postgresql&port=5433", environment: [:])
        #expect(url.isSocket)
        #expect(url.host == "/run/postgresql")
        #expect(url.port == 5433)
        #expect(url.sslMode == .disable)
        #expect(url.description == "postgresql://audit@:5433/audit?host=/run/postgresql")
    }

    @Test func thePasswordComesFromTheURLThenPGPASSWORDThenThePasswordFile() throws {
        let dir = "/tmp/audit-fleet-url-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/pgpass"
        try """
            # comment
            other:5432:audit:audit:wrong
            db1:*:audit:audit:from\\:file
            """.write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        let environment = ["PGPASSFILE": file, "PGPASSWORD": "from-env"]
        #expect(try FleetURL.parse("postgresql://audit:in-url@db1/audit", environment: environment).password == "in-url")
        let fromEnv = try FleetURL.parse("postgresql://audit@db1/audit", environment: environment)
        #expect(fromEnv.password == "from-env")
        #expect(fromEnv.passwordSource == "PGPASSWORD")
        let fromFile = try FleetURL.parse("postgresql://audit@db1:5433/audit", environment: ["PGPASSFILE": file])
        #expect(fromFile.password == "from:file")
        #expect(fromFile.passwordSource == file)
        #expect(fromFile.description == "postgresql://audit@db1:5433/audit", "a password not in the URL is not hinted at")
        #expect(try FleetURL.parse("postgresql://audit@db2/audit", environment: ["PGPASSFILE": file]).password == nil)

        chmod(file, 0o644)
        #expect(throws: FleetError(.invalidURL, "the password file \(file) may be read by group or others; chmod 0600 \(file)")) {
            try FleetURL.parse("postgresql://audit@db1/audit", environment: ["PGPASSFILE": file])
        }
    }

    @Test(arguments: [
        ("mysql://audit:pw@h/db", "invalid PostgreSQL URL mysql://audit:***@h/db: it must start with postgresql://"),
        ("postgresql://audit:pw@h", "invalid PostgreSQL URL postgresql://audit:***@h: no database: add /DB after the host"),
        ("postgresql://h:5432/db", "invalid PostgreSQL URL postgresql://h:5432/db: no user: write USER@ before the host"),
        ("postgresql://audit:pw@h:99999/db", "invalid PostgreSQL URL postgresql://audit:***@h:99999/db: the port \"99999\" is not a number from 1 to 65535"),
        ("postgresql://audit:pw@h/db?sslmode=allow", "invalid PostgreSQL URL postgresql://audit:***@h/db?sslmode=allow: sslmode=allow is not disable, prefer, require, verify-ca or verify-full (allow is not supported)"),
        ("postgresql://audit:pw@h/db?sslmode=verify-full", "invalid PostgreSQL URL postgresql://audit:***@h:5432/db?sslmode=verify-full: sslmode=verify-full checks the server's certificate against a CA certificate, and none is configured: add sslrootcert=FILE (the CA's PEM file) or sslrootcert=system to the URL, set PGSSLROOTCERT, or put it at ~/.postgresql/root.crt"),
        ("postgresql://audit:pw@h/db?sslmode=verify-ca&sslrootcert=", "invalid PostgreSQL URL postgresql://audit:***@h/db?sslmode=verify-ca&sslrootcert=: sslrootcert is empty: name the CA certificate's PEM file, or system"),
        ("postgresql://audit:pw@h/db?application_name=x", "invalid PostgreSQL URL postgresql://audit:***@h/db?application_name=x: unknown parameter \"application_name\" (audit understands sslmode, sslrootcert, host and port)"),
    ])
    func aURLThatCannotBeUsedIsNamedMaskedWithTheFix(text: String, message: String) {
        #expect(throws: FleetError(.invalidURL, message + "; expected postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=disable|prefer|require|verify-ca|verify-full[&sslrootcert=FILE]] (a socket directory: ?host=/path)")) {
            try FleetURL.parse(text, environment: ["HOME": "/nonexistent"])
        }
    }

    /// The CA certificate where libpq looks for it: the URL, PGSSLROOTCERT, then ~/.postgresql/root.crt.
    @Test func theCACertificateIsFoundWhereLibpqLooks() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("audit-home-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home + "/.postgresql", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let text = "postgresql://audit@db.internal/audit?sslmode=verify-full"
        let inURL = try FleetURL.parse(text + "&sslrootcert=/etc/audit/ca.pem", environment: ["HOME": home, "PGSSLROOTCERT": "/elsewhere.pem"])
        #expect(inURL.rootCertificate == "/etc/audit/ca.pem" && inURL.sslMode == .verifyFull)
        #expect(inURL.description == "postgresql://audit@db.internal:5432/audit?sslmode=verify-full&sslrootcert=%2Fetc%2Faudit%2Fca.pem")
        #expect(try FleetURL.parse(text, environment: ["HOME": home, "PGSSLROOTCERT": "/elsewhere.pem"]).rootCertificate == "/elsewhere.pem")
        #expect(throws: FleetError.self) { try FleetURL.parse(text, environment: ["HOME": home]) }
        FileManager.default.createFile(atPath: home + "/.postgresql/root.crt", contents: Data())
        let fromHome = try FleetURL.parse(text, environment: ["HOME": home])
        #expect(fromHome.rootCertificate == home + "/.postgresql/root.crt")
        #expect(fromHome.description == "postgresql://audit@db.internal:5432/audit?sslmode=verify-full")
        #expect(try FleetURL.parse(text.replacingOccurrences(of: "verify-full", with: "verify-ca") + "&sslrootcert=system", environment: [:]).rootCertificate == "system")
        // A socket takes no TLS, as with libpq.
        #expect(try FleetURL.parse("postgresql://audit@/audit?host=/run/postgresql&sslmode=verify-full", environment: ["HOME": home]).sslMode == .disable)
    }

    @Test func migrationsAreCutIntoStatementsOutsideQuotesAndDollarBodies() {
        let sql = """
            -- a comment; with a semicolon
            CREATE TABLE t (a text DEFAULT 'x;y');
            CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM 1; PERFORM $tag$;$tag$;
            END
            $$;
            SELECT "odd;name" FROM t
            """
        #expect(SQLScript.statements(sql) == [
            "CREATE TABLE t (a text DEFAULT 'x;y')",
            "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n    PERFORM 1; PERFORM $tag$;$tag$;\nEND\n$$",
            "SELECT \"odd;name\" FROM t",
        ])
    }
}
