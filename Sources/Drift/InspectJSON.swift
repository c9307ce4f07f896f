#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The subset of the Engine API 1.41 `ContainerInspect` response that is read.
/// Every field is optional: fields absent in older engines must not fail decoding.
struct InspectJSON: Decodable {
    struct Config: Decodable {
        var Image: String?
        var Env: [String]?
        var Cmd: [String]?
        var Entrypoint: [String]?
        var User: String?
        var WorkingDir: String?
        var Labels: [String: String]?
        var Healthcheck: HealthConfig?
    }

    struct HealthConfig: Decodable {
        var Test: [String]?
        var Interval: Int64?
        var Timeout: Int64?
        var StartPeriod: Int64?
        var Retries: Int?
    }

    struct HostConfig: Decodable {
        struct Restart: Decodable {
            var Name: String?
            var MaximumRetryCount: Int?
        }

        struct Binding: Decodable {
            var HostIp: String?
            var HostPort: String?
        }

        var Memory: Int64?
        var MemoryReservation: Int64?
        var NanoCpus: Int64?
        var CpuShares: Int64?
        var PidsLimit: Int64?
        var RestartPolicy: Restart?
        var Privileged: Bool?
        var CapAdd: [String]?
        var CapDrop: [String]?
        var NetworkMode: String?
        var PortBindings: [String: [Binding]?]?
    }

    struct MountJSON: Decodable {
        var `Type`: String?
        var Name: String?
        var Source: String?
        var Destination: String?
        var RW: Bool?
    }

    struct State: Decodable {
        var Status: String?
        var Running: Bool?
    }

    var Id: String
    var Name: String?
    var Image: String?
    var Config: Config?
    var HostConfig: HostConfig?
    var Mounts: [MountJSON]?
    var State: State?
}

extension ActualContainer {
    init(_ json: InspectJSON) {
        let config = json.Config
        let host = json.HostConfig
        var name = json.Name ?? ""
        if name.hasPrefix("/") { name.removeFirst() }
        id = json.Id
        self.name = name
        imageID = json.Image ?? ""
        imageReference = config?.Image ?? ""
        env = config?.Env ?? []
        cmd = config?.Cmd
        entrypoint = config?.Entrypoint
        user = config?.User ?? ""
        workingDir = config?.WorkingDir ?? ""
        labels = config?.Labels ?? [:]
        healthcheck = config?.Healthcheck.map {
            Healthcheck(test: $0.Test, interval: $0.Interval, timeout: $0.Timeout,
                        startPeriod: $0.StartPeriod, retries: $0.Retries)
        }
        memory = host?.Memory ?? 0
        memoryReservation = host?.MemoryReservation ?? 0
        nanoCPUs = host?.NanoCpus ?? 0
        cpuShares = host?.CpuShares ?? 0
        pidsLimit = host?.PidsLimit
        restartPolicy = RestartPolicy(name: host?.RestartPolicy?.Name ?? "",
                                      maximumRetryCount: host?.RestartPolicy?.MaximumRetryCount ?? 0)
        privileged = host?.Privileged ?? false
        capAdd = host?.CapAdd ?? []
        capDrop = host?.CapDrop ?? []
        networkMode = host?.NetworkMode ?? ""
        var bindings = Set<PortBinding>()
        for (key, list) in host?.PortBindings ?? [:] {
            let parts = key.split(separator: "/")
            guard let port = parts.first.flatMap({ Int($0) }) else { continue }
            let proto = parts.count > 1 ? String(parts[1]) : "tcp"
            for binding in list ?? [] {
                bindings.insert(PortBinding(hostIP: binding.HostIp ?? "", hostPort: binding.HostPort ?? "",
                                            containerPort: port, proto: proto))
            }
        }
        portBindings = bindings
        mounts = (json.Mounts ?? []).map {
            Mount(type: $0.Type ?? "", name: $0.Name ?? "", source: $0.Source ?? "",
                  destination: $0.Destination ?? "", readWrite: $0.RW ?? true)
        }
        status = json.State?.Status ?? ""
        running = json.State?.Running ?? false
    }
}
