/// The part of `GET /containers/{id}/json` the auditor keeps: identity, configuration, resources and
/// state. Field names follow the Engine API (Swift case); unknown fields are ignored.
public struct ContainerInspect: Codable, Sendable, Equatable {
    public var id: String
    public var created: String
    public var name: String
    /// The image ID (`sha256:…`); `config.image` is the reference as typed.
    public var image: String
    public var restartCount: Int?
    public var state: State
    public var config: Config
    public var hostConfig: HostConfig
    public var mounts: [Mount]?

    enum CodingKeys: String, CodingKey {
        case id = "Id", created = "Created", name = "Name", image = "Image", restartCount = "RestartCount"
        case state = "State", config = "Config", hostConfig = "HostConfig", mounts = "Mounts"
    }

    public struct State: Codable, Sendable, Equatable {
        public var status: String
        public var running: Bool
        public var paused: Bool?
        public var restarting: Bool?
        public var oomKilled: Bool?
        public var exitCode: Int?
        public var startedAt: String?
        public var finishedAt: String?
        public var health: Health?

        public struct Health: Codable, Sendable, Equatable {
            public var status: String
            enum CodingKeys: String, CodingKey { case status = "Status" }
        }

        enum CodingKeys: String, CodingKey {
            case status = "Status", running = "Running", paused = "Paused", restarting = "Restarting"
            case oomKilled = "OOMKilled", exitCode = "ExitCode", startedAt = "StartedAt", finishedAt = "FinishedAt"
            case health = "Health"
        }
    }

    public struct Config: Codable, Sendable, Equatable {
        public var image: String?
        public var env: [String]?
        public var cmd: [String]?
        public var entrypoint: [String]?
        public var user: String?
        public var workingDir: String?
        public var labels: [String: String]?
        public var healthcheck: Healthcheck?
        public var shell: [String]?
        public var tty: Bool?
        public var openStdin: Bool?

        enum CodingKeys: String, CodingKey {
            case image = "Image", env = "Env", cmd = "Cmd", entrypoint = "Entrypoint", user = "User"
            case workingDir = "WorkingDir", labels = "Labels", healthcheck = "Healthcheck", shell = "Shell"
            case tty = "Tty", openStdin = "OpenStdin"
        }
    }

    public struct Healthcheck: Codable, Sendable, Equatable {
        public var test: [String]?
        public var interval: Int64?
        public var timeout: Int64?
        public var retries: Int?
        public var startPeriod: Int64?

        enum CodingKeys: String, CodingKey {
            case test = "Test", interval = "Interval", timeout = "Timeout", retries = "Retries", startPeriod = "StartPeriod"
        }
    }

    public struct HostConfig: Codable, Sendable, Equatable {
        public var memory: Int64?
        public var memoryReservation: Int64?
        public var memorySwap: Int64?
        public var nanoCpus: Int64?
        public var cpuShares: Int64?
        public var cpuQuota: Int64?
        public var cpuPeriod: Int64?
        public var cpusetCpus: String?
        public var pidsLimit: Int64?
        public var restartPolicy: RestartPolicy?
        public var privileged: Bool?
        public var capAdd: [String]?
        public var capDrop: [String]?
        public var networkMode: String?
        public var portBindings: [String: [PortBinding]?]?
        public var readonlyRootfs: Bool?
        public var binds: [String]?

        enum CodingKeys: String, CodingKey {
            case memory = "Memory", memoryReservation = "MemoryReservation", memorySwap = "MemorySwap"
            case nanoCpus = "NanoCpus", cpuShares = "CpuShares", cpuQuota = "CpuQuota", cpuPeriod = "CpuPeriod"
            case cpusetCpus = "CpusetCpus", pidsLimit = "PidsLimit", restartPolicy = "RestartPolicy"
            case privileged = "Privileged", capAdd = "CapAdd", capDrop = "CapDrop", networkMode = "NetworkMode"
            case portBindings = "PortBindings", readonlyRootfs = "ReadonlyRootfs", binds = "Binds"
        }
    }

    public struct RestartPolicy: Codable, Sendable, Equatable {
        public var name: String?
        public var maximumRetryCount: Int?
        enum CodingKeys: String, CodingKey { case name = "Name", maximumRetryCount = "MaximumRetryCount" }
    }

    public struct PortBinding: Codable, Sendable, Equatable {
        public var hostIp: String?
        public var hostPort: String?
        enum CodingKeys: String, CodingKey { case hostIp = "HostIp", hostPort = "HostPort" }
    }

    public struct Mount: Codable, Sendable, Equatable {
        public var type: String?
        public var name: String?
        public var source: String?
        public var destination: String
        public var mode: String?
        public var rw: Bool?

        enum CodingKeys: String, CodingKey {
            case type = "Type", name = "Name", source = "Source", destination = "Destination", mode = "Mode", rw = "RW"
        }
    }

    /// The name without the leading slash the API puts on it.
    public var displayName: String { name.hasPrefix("/") ? String(name.dropFirst()) : name }
}

/// An element of `GET /containers/json?all=1`.
public struct ContainerSummary: Codable, Sendable, Equatable {
    public var id: String
    public var names: [String]?
    public var image: String?
    public var imageID: String?
    public var created: Int64?
    public var state: String?
    public var labels: [String: String]?

    enum CodingKeys: String, CodingKey {
        case id = "Id", names = "Names", image = "Image", imageID = "ImageID", created = "Created", state = "State", labels = "Labels"
    }
}

/// `GET /exec/{id}/json`: who ran what inside a container.
public struct ExecInspect: Codable, Sendable, Equatable {
    public var id: String
    public var containerID: String?
    public var running: Bool?
    public var exitCode: Int?
    public var openStdin: Bool?
    public var processConfig: ProcessConfig

    public struct ProcessConfig: Codable, Sendable, Equatable {
        public var user: String?
        public var privileged: Bool?
        public var tty: Bool?
        public var entrypoint: String?
        public var arguments: [String]?
    }

    enum CodingKeys: String, CodingKey {
        case id = "ID", containerID = "ContainerID", running = "Running", exitCode = "ExitCode"
        case openStdin = "OpenStdin", processConfig = "ProcessConfig"
    }
}

/// `GET /images/{id}/json`, the identity part.
public struct ImageInspect: Codable, Sendable, Equatable {
    public var id: String
    public var repoTags: [String]?
    public var repoDigests: [String]?
    public var created: String?
    public var config: Config?

    /// The image's defaults, which a container inherits (env, labels).
    public struct Config: Codable, Sendable, Equatable {
        public var env: [String]?
        public var labels: [String: String]?
        enum CodingKeys: String, CodingKey { case env = "Env", labels = "Labels" }
    }

    enum CodingKeys: String, CodingKey { case id = "Id", repoTags = "RepoTags", repoDigests = "RepoDigests", created = "Created", config = "Config" }
}
