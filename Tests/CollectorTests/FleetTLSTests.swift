@testable import Fleet
import Foundation
import Logging
import Testing

/// `sslmode` as libpq understands it, against a PostgreSQL 15 offering TLS with a certificate that a CA
/// of the test's own (openssl) signed for the name `localhost` only.
@Suite(.serialized, .enabled(if: TestPostgres.enabled, "needs PostgreSQL 15 (install-deps installs postgresql)"))
struct FleetTLSTests {
    /// A CA, a second CA nobody trusts, and a server certificate the first signed for `localhost`.
    static func makeCertificates(in dir: String) async throws {
        func openssl(_ arguments: [String]) async throws { try await TestEngine.run(["openssl"] + arguments) }
        for ca in ["ca", "other-ca"] {
            try await openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(dir)/\(ca).key", "-out", "\(dir)/\(ca).crt",
                               "-subj", "/CN=audit test \(ca)", "-days", "2"])
        }
        try "subjectAltName=DNS:localhost\n".write(toFile: dir + "/san.ext", atomically: false, encoding: .utf8)
        try await openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(dir)/server.key", "-out", "\(dir)/server.csr", "-subj", "/CN=localhost"])
        try await openssl(["x509", "-req", "-in", "\(dir)/server.csr", "-CA", "\(dir)/ca.crt", "-CAkey", "\(dir)/ca.key", "-CAcreateserial",
                           "-out", "\(dir)/server.crt", "-days", "2", "-extfile", "\(dir)/san.ext"])
    }

    @Test func theServersCertificateIsCheckedAsLibpqChecksIt() async throws {
        try await TestPostgres.with { pg in
            try await withTemporaryDirectory { dir in
                try await Self.makeCertificates(in: dir)
                try await pg.restartWithTLS(certificate: dir + "/server.crt", key: dir + "/server.key")
                let home = dir + "/home"
                try FileManager.default.createDirectory(atPath: home + "/.postgresql", withIntermediateDirectories: true)
                func connect(_ host: String, _ parameters: String, environment: [String: String] = [:]) async throws -> FleetError? {
                    let url = try FleetURL.parse("postgresql://\(TestPostgres.user):\(TestPostgres.password)@\(host):\(pg.port)/audit?\(parameters)",
                                                 environment: ["HOME": home].merging(environment) { $1 })
                    do {
                        let connection = try await FleetConnection.connect(url, logger: Logger(label: "test"))
                        await connection.close()
                        return nil
                    } catch let error as FleetError {
                        #expect(!error.message.contains(TestPostgres.password))
                        return error
                    }
                }
                // Signed by the CA and naming the host: verify-full connects; verify-ca connects to the address too.
                #expect(try await connect("localhost", "sslmode=verify-full&sslrootcert=\(dir)/ca.crt") == nil)
                #expect(try await connect("127.0.0.1", "sslmode=verify-ca&sslrootcert=\(dir)/ca.crt") == nil)
                // The certificate names localhost, not the address.
                let wrongName = try #require(try await connect("127.0.0.1", "sslmode=verify-full&sslrootcert=\(dir)/ca.crt"))
                #expect(wrongName.kind == .authentication && wrongName.message.contains("names 127.0.0.1"), "\(wrongName)")
                // Signed by a CA not trusted: refused by verify-full, verify-ca, and require with a CA given.
                for mode in ["verify-full", "verify-ca", "require"] {
                    let error = try #require(try await connect("localhost", "sslmode=\(mode)&sslrootcert=\(dir)/other-ca.crt"), "\(mode)")
                    #expect(error.kind == .authentication && error.message.contains("failed the TLS handshake"), "\(error)")
                }
                // require without a CA encrypts without checking, as libpq's does.
                #expect(try await connect("127.0.0.1", "sslmode=require") == nil)
                // The CA where libpq looks for it: PGSSLROOTCERT, else ~/.postgresql/root.crt.
                #expect(try await connect("localhost", "sslmode=verify-full", environment: ["PGSSLROOTCERT": dir + "/ca.crt"]) == nil)
                #expect(try await connect("localhost", "sslmode=verify-full", environment: ["PGSSLROOTCERT": dir + "/other-ca.crt"]) != nil)
                try FileManager.default.copyItem(atPath: dir + "/ca.crt", toPath: home + "/.postgresql/root.crt")
                #expect(try await connect("localhost", "sslmode=verify-full") == nil)
                // A CA file that cannot be read.
                let missing = try #require(try await connect("localhost", "sslmode=verify-full&sslrootcert=\(dir)/absent.crt"))
                #expect(missing.kind == .invalidURL && missing.message.contains("cannot read the CA certificate \(dir)/absent.crt"), "\(missing)")
            }
        }
    }
}
