import Foundation
@testable import Matcher

/// Builders for hand-written daemon sequences, modelled on real captures, and a one-call analysis.
enum Scenario {
    static let t0: Int64 = 1_795_748_000_000_000_000
    static let host = "prod-1"

    /// `t0` plus `seconds`.
    static func at(_ seconds: Double) -> Int64 { t0 + Int64(seconds * 1e9) }

    static func event(
        _ seconds: Double, _ action: String, id: String = "c1aaaaaaaaaa0000", name: String? = "web",
        detail: String? = nil, attributes: [String: String] = [:], type: String = "container",
        source: MatcherEvent.Source = .stream, project: String? = nil, service: String? = nil
    ) -> MatcherEvent {
        var attrs = attributes
        if let name { attrs["name"] = name }
        return MatcherEvent(timeNano: at(seconds), type: type, action: action, detail: detail, actorID: id,
                            attributes: attrs, source: source, project: project, service: service)
    }

    static func state(
        id: String = "c1aaaaaaaaaa0000", name: String = "web", image: String = "shop/api:1.0", healthcheck: [String]? = nil,
        restartPolicy: String? = "no", user: String? = nil, labels: [String: String] = [:], at seconds: Double = 0
    ) -> ContainerState {
        ContainerState(containerID: id, takenNs: at(seconds), name: name, imageID: "sha256:" + String(repeating: "1", count: 64),
                       imageRef: image, healthcheckTest: healthcheck, labels: labels, restartPolicy: restartPolicy, user: user)
    }

    static func history(_ states: ContainerState...) -> SnapshotHistory {
        SnapshotHistory(states.map { SnapshotEntry(takenNs: $0.takenNs, reason: "event", state: $0) })
    }

    static func analyze(
        _ events: [MatcherEvent], snapshots: [String: SnapshotHistory] = [:], execs: [String: ExecDetails] = [:],
        deployments: [Deployment] = [], gaps: [Gap] = [], acks: [Ack] = [], now: Double = 100_000,
        tolerance: Int64? = nil
    ) -> Analysis {
        Matcher.analyze(events: events, snapshots: snapshots, execs: execs, deployments: deployments, gaps: gaps,
                        acks: acks, host: host, window: t0...at(1_000_000), toleranceNs: tolerance, now: at(now))
    }
}

/// The real Engine 20.10 capture, read with Foundation as the daemon wrote it.
enum Capture {
    static let directory = String(#filePath).split(separator: "/").dropLast().joined(separator: "/")
    static let t1 = "6681d188fa6f3469cab6b4b38b198a5906793e8b75c63a5bf4b0d736dcb0ccc9"
    static let t3 = "5f020cd7bf97df90a55af0eca21b34110217e05884f98d3b2444af96d503bef2"

    static func events() throws -> [MatcherEvent] {
        let text = try String(contentsOfFile: "/" + directory + "/../DockerAPITests/Fixtures/engine-20.10-capture.ndjson", encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            let actor = object["Actor"] as? [String: Any] ?? [:]
            let full = object["Action"] as? String ?? ""
            let parts = full.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return MatcherEvent(
                timeNano: (object["timeNano"] as? NSNumber)?.int64Value ?? 0, type: object["Type"] as? String ?? "",
                action: parts[0], detail: parts.count > 1 ? parts[1] : nil, actorID: actor["ID"] as? String ?? "",
                attributes: actor["Attributes"] as? [String: String] ?? [:]
            )
        }
    }

    /// t1's snapshots: `CMD-SHELL true` health check (probes run `/bin/sh -c true`), then the
    /// `docker update -m 2g` diff the lead renders with `configChanges(from:)`.
    static func snapshots(events: [MatcherEvent]) -> [String: SnapshotHistory] {
        let create = events.first { $0.actorID == t1 && $0.action == "create" }!.timeNano
        let update = events.first { $0.actorID == t1 && $0.action == "update" }!.timeNano
        var state = ContainerState(containerID: t1, takenNs: create + 1_000_000, name: "t1", imageID: "sha256:61f1",
                                   imageRef: "audit-test/busybox:1", healthcheckTest: ["CMD-SHELL", "true"],
                                   labels: ["com.docker.compose.project": "shop"], restartPolicy: "no")
        let first = SnapshotEntry(takenNs: state.takenNs, reason: "event", state: state)
        state.takenNs = update + 5_000_000
        let second = SnapshotEntry(takenNs: state.takenNs, triggerNs: update, reason: "event", state: state,
                                   configChangesFromPrevious: ["memory 512 MiB → 2 GiB"])
        let t3State = ContainerState(containerID: t3, takenNs: create + 9_000_000_000, name: "t3", imageID: "sha256:61f1",
                                     imageRef: "audit-test/busybox:1", restartPolicy: "no")
        return [t1: SnapshotHistory([first, second]), t3: SnapshotHistory([SnapshotEntry(takenNs: t3State.takenNs, reason: "event", state: t3State)])]
    }
}
