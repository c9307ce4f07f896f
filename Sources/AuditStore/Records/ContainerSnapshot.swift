import AuditSupport
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the matcher and the drift check need to know about a container at one moment, normalised from
/// its inspect: identity, image, configuration, resources, and the state that reveals restarts.
public struct ContainerSnapshot: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var imageID: String
    public var imageRef: String?
    public var created: String
    public var status: String
    public var running: Bool
    public var startedAt: String?
    public var finishedAt: String?
    public var restartCount: Int?
    public var env: [String]
    public var cmd: [String]?
    public var entrypoint: [String]?
    public var user: String?
    public var workingDir: String?
    public var labels: [String: String]
    public var healthcheck: Healthcheck?
    public var shell: [String]?
    public var memory: Int64?
    public var memoryReservation: Int64?
    public var memorySwap: Int64?
    public var nanoCpus: Int64?
    public var cpuShares: Int64?
    public var cpuQuota: Int64?
    public var cpuPeriod: Int64?
    public var cpusetCpus: String?
    public var pidsLimit: Int64?
    public var restartPolicy: String?
    public var privileged: Bool?
    public var capAdd: [String]?
    public var capDrop: [String]?
    public var networkMode: String?
    /// `8080/tcp <- 0.0.0.0:80`, sorted.
    public var ports: [String]
    /// `bind /srv/data -> /data rw`, sorted.
    public var mounts: [String]
    public var readonlyRootfs: Bool?

    /// The identity and state; configuration fields start empty and are set one by one (the collector
    /// fills them from `docker inspect`).
    public init(id: String, name: String, imageID: String, created: String, status: String, running: Bool) {
        self.id = id
        self.name = name
        self.imageID = imageID
        self.created = created
        self.status = status
        self.running = running
        env = []
        labels = [:]
        ports = []
        mounts = []
    }

    /// The container's health check, stored with Docker's keys (snapshots written before this type
    /// existed read back unchanged).
    public struct Healthcheck: Codable, Sendable, Equatable {
        public var test: [String]?
        public var interval: Int64?
        public var timeout: Int64?
        public var retries: Int?
        public var startPeriod: Int64?

        public init(test: [String]?, interval: Int64?, timeout: Int64?, retries: Int?, startPeriod: Int64?) {
            self.test = test
            self.interval = interval
            self.timeout = timeout
            self.retries = retries
            self.startPeriod = startPeriod
        }

        enum CodingKeys: String, CodingKey {
            case test = "Test", interval = "Interval", timeout = "Timeout", retries = "Retries", startPeriod = "StartPeriod"
        }
    }

    public var startedAtTimestamp: Timestamp? { startedAt.flatMap(RFC3339.parse).flatMap { $0.nanoseconds > 0 ? $0 : nil } }
    public var createdTimestamp: Timestamp? { RFC3339.parse(created) }

    public var project: String? { labels["com.docker.compose.project"] }
    public var service: String? { labels["com.docker.compose.service"] }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding plain value types cannot fail.
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    public static func decode(json: String) -> ContainerSnapshot? {
        try? JSONDecoder().decode(ContainerSnapshot.self, from: Data(json.utf8))
    }
}
