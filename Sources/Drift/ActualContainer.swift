#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A container as `docker inspect` (Engine API 1.41) reports it, reduced to
/// what the drift check compares.
public struct ActualContainer: Hashable, Sendable {
    /// One entry of the inspect `Mounts` list.
    public struct Mount: Hashable, Sendable {
        public var type: String
        /// Volume name; empty for binds.
        public var name: String
        /// Host path (for volumes, the volume's data directory).
        public var source: String
        public var destination: String
        public var readWrite: Bool

        public init(type: String, name: String, source: String, destination: String, readWrite: Bool) {
            self.type = type
            self.name = name
            self.source = source
            self.destination = destination
            self.readWrite = readWrite
        }

        /// Anonymous volumes (often from an image's `VOLUME`) have a 64-hex-digit name.
        public var isAnonymousVolume: Bool {
            type == "volume" && name.count == 64 && name.allSatisfy(\.isHexDigit)
        }
    }

    public var id: String
    /// Name without Docker's leading `/`.
    public var name: String
    /// The image ID (`sha256:...`) the container runs.
    public var imageID: String
    /// `Config.Image`: the reference the container was created from.
    public var imageReference: String
    /// `Config.Env` in order, image-provided variables included.
    public var env: [String]
    public var cmd: [String]?
    public var entrypoint: [String]?
    public var user: String
    public var workingDir: String
    public var labels: [String: String]
    public var healthcheck: Healthcheck?
    /// `HostConfig.Memory`; 0 means unlimited.
    public var memory: Int64
    public var memoryReservation: Int64
    public var nanoCPUs: Int64
    public var cpuShares: Int64
    /// nil, 0 and -1 all mean unlimited.
    public var pidsLimit: Int64?
    public var restartPolicy: RestartPolicy
    public var privileged: Bool
    public var capAdd: [String]
    public var capDrop: [String]
    public var networkMode: String
    public var portBindings: Set<PortBinding>
    public var mounts: [Mount]
    /// `State.Status`: `running`, `exited`, `created` ...
    public var status: String
    public var running: Bool

    /// `com.docker.compose.project`.
    public var project: String? { labels["com.docker.compose.project"] }
    /// `com.docker.compose.service`.
    public var service: String? { labels["com.docker.compose.service"] }
    /// `com.docker.compose.container-number`.
    public var containerNumber: Int? { labels["com.docker.compose.container-number"].flatMap { Int($0) } }
    /// One-off containers (`docker compose run`) are not part of the service's scale.
    public var isOneOff: Bool { labels["com.docker.compose.oneoff"]?.lowercased() == "true" }

    /// `Config.Env` as a map; the first `=` separates name and value.
    public var environment: [String: String] {
        EnvList.map(env)
    }

    /// Decodes the JSON array `docker inspect ID...` prints (a single object is accepted too).
    public static func decodeInspectArray(_ data: Data) throws -> [ActualContainer] {
        let decoder = JSONDecoder()
        do {
            if let list = try? decoder.decode([InspectJSON].self, from: data) {
                return list.map(ActualContainer.init)
            }
            return [ActualContainer(try decoder.decode(InspectJSON.self, from: data))]
        } catch let error as DecodingError {
            throw DriftError("container inspect json: \(Self.describe(error))")
        }
    }

    /// Byte-array convenience for callers that hold raw API bodies.
    public static func decodeInspectArray(_ bytes: [UInt8]) throws -> [ActualContainer] {
        try decodeInspectArray(Data(bytes))
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context),
             .keyNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return (path.isEmpty ? "" : "at \(path): ") + context.debugDescription.lowercased()
        @unknown default:
            return "\(error)".lowercased()
        }
    }
}
