import Foundation
import Testing

/// A second private Docker engine, for the fleet's two-host tests: `scripts/docker-private` with a
/// folder of its own (never the default paths, never the first engine's), with the busybox test image,
/// stopped however the body ends.
enum SecondEngine {
    static func with<T>(_ body: (String) async throws -> T) async throws -> T {
        let directory = "/tmp/audit-docker-b\(UInt32.random(in: 0...UInt32.max))"
        let script = TestEngine.packageRoot + "/scripts/docker-private"
        let environment = ["AUDIT_DOCKER_DIR": directory]
        defer {
            TestEngine.cleanup([script, "stop"], environment: environment)
            TestEngine.cleanup(["rm", "-rf", directory])
        }
        let started = try await TestEngine.run([script, "start"], environment: environment)
        let host = try #require(started.split(separator: "\n").last.flatMap { $0.hasPrefix("DOCKER_HOST=") ? String($0.dropFirst(12)) : nil },
                                "docker-private start printed \(started)")
        try await TestEngine.run([script, "image"], environment: environment.merging(["DOCKER_HOST": host]) { $1 })
        return try await body(host)
    }
}
