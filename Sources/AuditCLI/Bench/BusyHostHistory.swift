import AuditStore
import AuditSupport
import Collector
import Deployments
import DockerAPI
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Weeks of a busy host's events, written through the collector's own decoder and writer, for
/// `audit bench report`.
///
/// 40 containers in 4 compose projects, each probed by its health check (exec_create, exec_start,
/// exec_die) so often that probes make the requested number of events; every day one project is
/// deployed (a recorded deployment recreating its 10 containers), and three things happen outside
/// the pipeline: a `docker update`, an interactive `docker exec -it … sh`, a manual restart.
struct BusyHostHistory {
    let events: Int
    let days: Int
    let endNs: Int64
    let host = "bench-host"

    static let projects = ["shop", "billing", "search", "auth"]
    static let services = ["api", "worker", "web", "cache", "queue", "cron", "mailer", "indexer", "gateway", "metrics"]
    static let probe = "curl -fsS http://localhost:8080/health || exit 1"
    static let probeCommand = "/bin/sh -c " + probe
    private static let hourNs: Int64 = 3_600_000_000_000
    private static let dayNs: Int64 = 24 * hourNs

    struct Summary {
        var events = 0
        var deployments = 0
        var outOfBand = 0
    }

    private struct Container {
        var id: String
        let project: String
        let service: String
        let configHash: String
        /// Canonical attribute members before and after where execID/exitCode sort; built once, not per event.
        let head: String
        let tail: String

        init(id: String, project: String, service: String, configHash: String) {
            self.id = id
            self.project = project
            self.service = service
            self.configHash = configHash
            head = "\"com.docker.compose.config-hash\":\"\(configHash)\",\"com.docker.compose.container-number\":\"1\",\"com.docker.compose.oneoff\":\"False\",\"com.docker.compose.project\":\"\(project)\",\"com.docker.compose.service\":\"\(service)\",\"com.docker.compose.version\":\"1.29.2\""
            tail = "\"image\":\"registry.example.com/\(project)/\(service):1\",\"maintainer\":\"platform@example.com\",\"name\":\"\(project)_\(service)_1\""
        }
    }

    private enum Scheduled {
        case deploy(project: Int)
        case update(slot: Int)
        case interactiveExec(slot: Int)
        case restart(slot: Int)
    }

    func write(to writer: EventWriter, deployments: DeploymentRepository, progress: (Int) -> Void) async throws -> Summary {
        var rng = SplitMix(seed: 7)
        let startNs = endNs - Int64(days) * Self.dayNs
        var slots: [Container] = []
        for p in Self.projects { for s in Self.services { slots.append(Container(id: Self.hexID(&rng), project: p, service: s, configHash: Self.hexID(&rng))) } }
        // Probes make up the volume: three events per probe.
        let spanNs = Double(days) * Double(Self.dayNs)
        let probeIntervalNs = Int64(Double(slots.count * 3) * spanNs / Double(max(events, 1)))
        var schedule: [(Int64, Scheduled)] = []
        for day in 0..<days {
            let midnight = startNs + Int64(day) * Self.dayNs
            schedule.append((midnight + 10 * Self.hourNs, .deploy(project: day % Self.projects.count)))
            schedule.append((midnight + 15 * Self.hourNs, .update(slot: 0)))
            schedule.append((midnight + 16 * Self.hourNs, .interactiveExec(slot: 11)))
            schedule.append((midnight + 17 * Self.hourNs, .restart(slot: 22)))
        }
        var next = 0
        var summary = Summary()
        var out = Output(writer: writer)
        writer.openCoverage(dockerHost: "unix:///bench/docker.sock", startedNs: startNs)
        for slot in slots.indices { try createAndStart(&slots[slot], at: startNs + Int64(slot) * 1_000_000, &out) }

        var tick = startNs + 1_000_000_000
        while tick < endNs && out.count < events {
            while next < schedule.count, schedule[next].0 <= tick {
                let (at, what) = schedule[next]
                next += 1
                switch what {
                case .deploy(let project):
                    try await deploy(project: project, at: at, slots: &slots, rng: &rng, out: &out, deployments: deployments)
                    summary.deployments += 1
                case .update(let slot):
                    out.event(slots[slot], "update", at: at, extra: "")
                    try snapshot(slots[slot], at: at + 5_000_000, trigger: at, reason: "update", memory: 2 << 30, &out)
                    summary.outOfBand += 1
                case .interactiveExec(let slot):
                    let execID = Self.hexID(&rng)
                    out.event(slots[slot], "exec_create: sh", at: at, extra: "\"execID\":\"\(execID)\",")
                    out.event(slots[slot], "exec_start: sh", at: at + 1_000_000, extra: "\"execID\":\"\(execID)\",")
                    out.event(slots[slot], "exec_die", at: at + 90_000_000_000, extra: "\"execID\":\"\(execID)\",\"exitCode\":\"0\",")
                    let inspect = #"{"ID":"\#(execID)","ContainerID":"\#(slots[slot].id)","Running":true,"OpenStdin":true,"ProcessConfig":{"user":"","privileged":false,"tty":true,"entrypoint":"sh","arguments":[]}}"#
                    let exec = try JSONDecoder().decode(ExecInspect.self, from: Data(inspect.utf8))
                    writer.enqueue(exec: ExecRecord(exec, containerID: slots[slot].id, inspectedNs: at + 20_000_000))
                    summary.outOfBand += 1
                case .restart(let slot):
                    out.event(slots[slot], "kill", at: at, extra: "", after: "\"signal\":\"15\"")
                    out.event(slots[slot], "die", at: at + 300_000_000, extra: "\"exitCode\":\"143\",")
                    out.event(slots[slot], "stop", at: at + 310_000_000, extra: "")
                    out.event(slots[slot], "start", at: at + 900_000_000, extra: "")
                    out.event(slots[slot], "restart", at: at + 910_000_000, extra: "")
                    summary.outOfBand += 1
                }
            }
            for (i, c) in slots.enumerated() {
                let at = tick + Int64(i) * (probeIntervalNs / Int64(slots.count))
                let execID = Self.hexID(&rng)
                out.event(c, "exec_create: " + Self.probeCommand, at: at, extra: "\"execID\":\"\(execID)\",")
                out.event(c, "exec_start: " + Self.probeCommand, at: at + 1_000_000, extra: "\"execID\":\"\(execID)\",")
                out.event(c, "exec_die", at: at + 40_000_000, extra: "\"execID\":\"\(execID)\",\"exitCode\":\"0\",")
                // The collector inspects every exec, probes included: one exec_sessions row per probe.
                writer.enqueue(exec: ExecRecord(execID: execID, containerID: c.id, inspectedNs: at + 2_000_000, user: "", privileged: false, tty: false,
                                                openStdin: false, entrypoint: "/bin/sh", arguments: ["-c", Self.probe]))
            }
            tick += probeIntervalNs
            if out.pending >= 4096 { await out.flush(progress) }
        }
        await out.flush(progress)
        writer.closeCoverage(endedNs: endNs, reason: "bench history ends")
        summary.events = out.count
        return summary
    }

    private func deploy(project: Int, at: Int64, slots: inout [Container], rng: inout SplitMix, out: inout Output, deployments: DeploymentRepository) async throws {
        let name = Self.projects[project]
        let record = DeploymentRecord(id: "bench-\(name)-\(at / Self.dayNs)", source: .webhook, host: host, project: name,
                                      status: .success, startedAt: Timestamp(nanoseconds: at), finishedAt: Timestamp(nanoseconds: at + 180_000_000_000))
        _ = try deployments.store(record, deliveryID: nil, now: at)
        for slot in slots.indices where slots[slot].project == name {
            let t = at + 10_000_000_000 + Int64(slot % Self.services.count) * 10_000_000_000
            out.event(slots[slot], "kill", at: t, extra: "", after: "\"signal\":\"15\"")
            out.event(slots[slot], "die", at: t + 200_000_000, extra: "\"exitCode\":\"143\",")
            out.event(slots[slot], "stop", at: t + 210_000_000, extra: "")
            out.event(slots[slot], "destroy", at: t + 400_000_000, extra: "")
            out.writer.enqueue(snapshot: SnapshotRecord(containerID: slots[slot].id, takenNs: t + 400_000_000, triggerNs: t + 400_000_000, reason: "destroy", snapshot: nil))
            slots[slot].id = Self.hexID(&rng)
            try createAndStart(&slots[slot], at: t + 1_000_000_000, &out)
        }
    }

    private func createAndStart(_ c: inout Container, at: Int64, _ out: inout Output) throws {
        out.event(c, "create", at: at, extra: "")
        out.event(c, "start", at: at + 300_000_000, extra: "")
        try snapshot(c, at: at + 310_000_000, trigger: at + 300_000_000, reason: "start", memory: 512 << 20, &out)
    }

    private func snapshot(_ c: Container, at: Int64, trigger: Int64, reason: String, memory: Int64, _ out: inout Output) throws {
        let inspect = """
            {"Id":"\(c.id)","Created":"2026-01-01T00:00:00Z","Name":"/\(c.project)_\(c.service)_1","Image":"sha256:\(c.configHash)","RestartCount":0,
             "State":{"Status":"running","Running":true,"StartedAt":"\(RFC3339.format(Timestamp(nanoseconds: trigger)))","FinishedAt":"0001-01-01T00:00:00Z"},
             "Config":{"Image":"registry.example.com/\(c.project)/\(c.service):1","Env":["PORT=8080"],"Cmd":["serve"],
                       "Labels":{"com.docker.compose.project":"\(c.project)","com.docker.compose.service":"\(c.service)"},
                       "Healthcheck":{"Test":["CMD-SHELL","\(Self.probe)"]}},
             "HostConfig":{"Memory":\(memory),"RestartPolicy":{"Name":"unless-stopped","MaximumRetryCount":0},"NetworkMode":"none","PortBindings":{}},
             "Mounts":[]}
            """
        let snapshot = ContainerSnapshot(try JSONDecoder().decode(ContainerInspect.self, from: Data(inspect.utf8)))
        out.writer.enqueue(snapshot: SnapshotRecord(containerID: c.id, takenNs: at, triggerNs: trigger, reason: reason, snapshot: snapshot))
    }

    private static func hexID(_ rng: inout SplitMix) -> String {
        (0..<4).map { _ in String(rng.next(), radix: 16).leftPad(16) }.joined()
    }

    /// Builds NDJSON lines as the daemon (API 1.52) writes them, decodes them with the collector's
    /// decoder, and hands them to the writer in batches, pausing while it is behind.
    private struct Output {
        let writer: EventWriter
        var line: [UInt8] = []
        var batch: [StreamItem] = []
        var count = 0
        let interner = Interner()
        var pending: Int { batch.count }

        init(writer: EventWriter) {
            self.writer = writer
            line.reserveCapacity(2048)
            batch.reserveCapacity(4096)
        }

        /// `extra` goes between the compose labels and `image` (execID, exitCode sort there);
        /// `after` after `name` (signal).
        mutating func event(_ c: Container, _ action: String, at ns: Int64, extra: String, after: String = "") {
            line.removeAll(keepingCapacity: true)
            line += #"{"Type":"container","Action":""#.utf8
            line += action.utf8
            line += #"","Actor":{"ID":""#.utf8
            line += c.id.utf8
            line += #"","Attributes":{"#.utf8
            line += c.head.utf8
            line += ",".utf8
            line += extra.utf8
            line += c.tail.utf8
            if !after.isEmpty { line += ",".utf8; line += after.utf8 }
            line += #"}},"scope":"local","time":"#.utf8
            line += String(ns / 1_000_000_000).utf8
            line += #","timeNano":"#.utf8
            line += String(ns).utf8
            line += "}".utf8
            batch.append(line.withUnsafeBytes { EventDecoder.decode($0, interner: interner) })
            count += 1
        }

        mutating func flush(_ progress: (Int) -> Void) async {
            guard !batch.isEmpty else { return }
            writer.enqueue(batch, source: .stream)
            batch.removeAll(keepingCapacity: true)
            while writer.pendingEvents > 100_000 { usleep(2_000) }
            progress(count)
        }
    }
}
