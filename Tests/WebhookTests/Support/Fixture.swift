import Foundation

/// Provider payloads, shared with DeploymentsTests: they live once under `Tests/DeploymentsTests/Fixtures/`
/// (the parser's tests and the listener's tests must see the same bytes), found relative to this file
/// so tests run from any working directory.
enum Fixture {
    static func bytes(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Support
            .deletingLastPathComponent()  // WebhookTests
            .deletingLastPathComponent()  // Tests
            .appendingPathComponent("DeploymentsTests/Fixtures/\(name)")
        return Array(try Data(contentsOf: url))
    }
}
