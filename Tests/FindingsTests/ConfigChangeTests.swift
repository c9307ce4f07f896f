import Testing
import AuditStore
import Collector
import Findings
@testable import DockerAPI
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite struct ConfigChangeTests {
    /// A trimmed `docker inspect` of a 20.10 container, as JSON the decoder reads.
    static func inspect(memory: Int64, env: [String], name: String = "/shop_api_1") throws -> ContainerInspect {
        let json = """
        {"Id":"c0ffee","Created":"2026-11-27T02:00:00.000000001Z","Name":"\(name)","Image":"sha256:aaa","RestartCount":0,
         "State":{"Status":"running","Running":true,"StartedAt":"2026-11-27T02:00:01.5Z","FinishedAt":"0001-01-01T00:00:00Z"},
         "Config":{"Image":"shop/api:1","Env":\(try String(decoding: JSONEncoder().encode(env), as: UTF8.self)),"Cmd":["serve"],"Labels":{"com.docker.compose.project":"shop"}},
         "HostConfig":{"Memory":\(memory),"NanoCpus":0,"CpuShares":0,"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"NetworkMode":"none","PortBindings":{}},
         "Mounts":[]}
        """
        return try JSONDecoder().decode(ContainerInspect.self, from: Data(json.utf8))
    }

    @Test func describesAMemoryChangeInUnitsOperatorsRead() throws {
        let before = ContainerSnapshot(try Self.inspect(memory: 536_870_912, env: ["A=1"]))
        let after = ContainerSnapshot(try Self.inspect(memory: 2_147_483_648, env: ["A=1"]))
        #expect(after.configChanges(from: before).map(\.description) == ["memory 512 MiB → 2 GiB"])
        #expect(before.configChanges(from: before).isEmpty)
    }

    @Test func masksSecretEnvValues() throws {
        let before = ContainerSnapshot(try Self.inspect(memory: 0, env: ["DB_PASSWORD=old", "MODE=a"]))
        let after = ContainerSnapshot(try Self.inspect(memory: 0, env: ["DB_PASSWORD=new", "MODE=b"]))
        #expect(after.configChanges(from: before).map(\.description) == ["env.DB_PASSWORD *** → ***", "env.MODE a → b"])
    }

    @Test func snapshotsRoundTripThroughJSON() throws {
        let snapshot = ContainerSnapshot(try Self.inspect(memory: 1024, env: []))
        #expect(ContainerSnapshot.decode(json: snapshot.json()) == snapshot)
        #expect(snapshot.name == "shop_api_1")
        #expect(snapshot.startedAtTimestamp?.nanoseconds == 1_795_744_801_500_000_000)
        #expect(snapshot.restartPolicy == "no")
    }
}
