/// Classifies stored events, attributes the changes to deployments and follows each out-of-band
/// change to its current status. Pure: everything comes in as values, so results depend only on the
/// inputs and are recomputed at every report, never frozen.
public enum Matcher {
    /// Analyses `events` and returns the findings, context and in-band events inside `window`.
    ///
    /// - Parameters:
    ///   - events: events in any order; include some before `window` so sequences and statuses that
    ///     straddle its edges resolve, and later ones so `gone`/`reconciled` are seen.
    ///   - snapshots: per container id, its snapshot history.
    ///   - execs: per exec id, what exec inspect said.
    ///   - host: the collector's host, matched against records that name one.
    ///   - window: Unix nanoseconds, inclusive; the output is restricted to it.
    ///   - toleranceNs: slack before a deployment's start and after its finish for every record; nil
    ///     follows each record's clock (`Tolerance`).
    ///   - now: the instant statuses and acknowledgement expiry are judged at.
    public static func analyze(
        events: [MatcherEvent], snapshots: [String: SnapshotHistory], execs: [String: ExecDetails],
        deployments: [Deployment], gaps: [Gap], acks: [Ack], host: String?, window: ClosedRange<Int64>,
        toleranceNs: Int64? = nil, now: Int64
    ) -> Analysis {
        let sorted = events.enumerated().sorted { ($0.element.timeNano, $0.offset) < ($1.element.timeNano, $1.offset) }.map(\.element)
        let classifier = EventClassifier(events: sorted, snapshots: snapshots, execs: execs)
        var context: [ContextEvent] = []
        var candidates: [MatcherEvent] = []
        for event in sorted {
            switch classifier.verdict(event) {
            case .context(let reason): context.append(ContextEvent(event: event, reason: reason))
            case .candidate: candidates.append(event)
            case nil: continue
            }
        }
        let grouped = SequenceGrouper.group(candidates, snapshots: snapshots, gaps: gaps)
        context += grouped.context

        let attributor = Attributor(deployments: deployments, host: host, toleranceOverride: toleranceNs)
        let builder = FindingBuilder(snapshots: snapshots, execs: execs, attributor: attributor)
        var inBandChanges: [(change: Change, deployment: Deployment)] = []
        var attributed: [Attribution] = []
        var findings: [Finding] = []
        for change in grouped.changes {
            let verdict = attributor.verdict(for: change)
            if case let .inBand(deployment, evidence) = verdict {
                inBandChanges.append((change, deployment))
                if window.contains(change.timeNano) {
                    attributed.append(Attribution(event: change.anchor, change: change.summary, name: change.name,
                                                  deploymentID: deployment.id, evidence: evidence))
                }
            }
            if window.contains(change.timeNano), let finding = builder.finding(for: change, verdict: verdict) {
                findings.append(finding)
            }
        }

        let lifecycle = FindingLifecycle(inBand: inBandChanges, events: sorted, acks: acks)
        let inBand = inBandChanges
            .flatMap { pair in pair.change.members.map { InBandEvent(event: $0, deploymentID: pair.deployment.id) } }
            .filter { window.contains($0.event.timeNano) }
            .sorted { $0.event.timeNano < $1.event.timeNano }
        return Analysis(
            findings: findings.map { lifecycle.apply(to: $0, now: now) }.sorted { ($0.timeNano, $1.id) > ($1.timeNano, $0.id) },
            context: context.filter { window.contains($0.event.timeNano) }.sorted { $0.event.timeNano < $1.event.timeNano },
            inBand: inBand,
            attributed: attributed.sorted { $0.event.timeNano < $1.event.timeNano }
        )
    }
}
