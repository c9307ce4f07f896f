import Foundation
import Testing

/// `forward:` and `host-name:` in the configuration file: a password written in the URL is never printed,
/// and a URL that cannot be used stops the collector with the file, the line and the key.
struct FleetConfigurationTests {
    @Test func configCheckMasksTheForwardPassword() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/audit.yaml"
            try "db: \(dir)/audit.db\nforward: postgresql://audit:hunter2@fleet-db:5432/audit?sslmode=require\nhost-name: web-1\n"
                .write(toFile: path, atomically: true, encoding: .utf8)
            let check = try await InstallTests.configCheck(path)
            #expect(check.status == 0, "\(check.output)")
            #expect(check.output.contains("postgresql://audit:***@fleet-db:5432/audit?sslmode=require"), "\(check.output)")
            #expect(check.output.contains("web-1"), "\(check.output)")
            #expect(!check.output.contains("hunter2"), "\(check.output)")
        }
    }

    @Test func aForwardURLThatCannotBeUsedNamesFileLineAndKey() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/audit.yaml"
            try "db: \(dir)/audit.db\nforward: postgresql://audit:hunter2@fleet-db/audit?sslmode=verify-all\n".write(toFile: path, atomically: true, encoding: .utf8)
            let check = try await InstallTests.configCheck(path)
            #expect(check.status == 2, "\(check.output)")
            #expect(check.output.contains("\(path):2: forward: invalid PostgreSQL URL postgresql://audit:***@fleet-db/audit?sslmode=verify-all: sslmode=verify-all is not disable, prefer, require, verify-ca or verify-full"), "\(check.output)")
            #expect(!check.output.contains("hunter2"), "\(check.output)")
        }
    }
}
