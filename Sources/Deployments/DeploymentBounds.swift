import AuditSupport

/// What a deployment record may claim about its own window, checked against the receiver's clock
/// before it is stored. A window that lasts days, or ends years from now, would excuse everything
/// inside it: `finished_at` 2261-12-31 turned a report's exec finding into nothing.
public struct DeploymentBounds: Sendable, Equatable {
    /// The longest a window may last, start to finish.
    public var maxWindowNs: Int64
    /// How far past the receiver's clock a start or finish may lie (the sender's clock may run ahead).
    public var maxAheadNs: Int64

    /// How far before the receiver's clock a start may lie: a redelivery older than this is refused.
    /// Centuries-old times also lie further apart than Int64 nanoseconds can count.
    public var maxAgeNs: Int64

    public init(maxWindowNs: Int64 = 6 * 3_600 * 1_000_000_000, maxAheadNs: Int64 = 300 * 1_000_000_000,
                maxAgeNs: Int64 = 7 * 86_400 * 1_000_000_000) {
        self.maxWindowNs = maxWindowNs
        self.maxAheadNs = maxAheadNs
        self.maxAgeNs = maxAgeNs
    }

    /// Throws `invalidField` naming the time that is out of bounds and the limit it broke.
    public func check(_ record: DeploymentRecord, nowNs: Int64) throws(DeploymentInputError) {
        let latest = nowNs.addingReportingOverflow(maxAheadNs)
        let limit = latest.overflow ? Int64.max : latest.partialValue
        for (field, time) in [("started_at", record.startedAt), ("finished_at", record.finishedAt)] {
            guard let time, time.nanoseconds > limit else { continue }
            throw .invalidField(field, reason: "\(RFC3339.format(time)) lies more than \(DurationFormat.short(nanoseconds: maxAheadNs)) "
                + "after this collector's clock (\(RFC3339.format(Timestamp(nanoseconds: nowNs)))); send the time the deployment really started or ended")
        }
        let earliest = nowNs.subtractingReportingOverflow(maxAgeNs)
        if !earliest.overflow, record.startedAt.nanoseconds < earliest.partialValue {
            throw .invalidField("started_at", reason: "\(RFC3339.format(record.startedAt)) lies more than \(DurationFormat.short(nanoseconds: maxAgeNs)) "
                + "before this collector's clock; a deployment that old cannot be recorded now")
        }
        // A step covers what its command did within the record's window, never beyond it.
        let end = record.finishedAt ?? Timestamp(nanoseconds: limit)
        for step in record.steps ?? [] where step.startedAt < record.startedAt || (step.finishedAt ?? step.startedAt) > end {
            throw .invalidField("steps", reason: "step `\(step.command)` runs outside the deployment's own window")
        }
        if let finishedAt = record.finishedAt {
            let length = finishedAt.nanoseconds.subtractingReportingOverflow(record.startedAt.nanoseconds)
            if length.overflow || length.partialValue > maxWindowNs {
                throw .invalidField("finished_at", reason: "the window from started_at lasts longer than \(DurationFormat.short(nanoseconds: maxWindowNs)), "
                    + "the most one deployment may cover (--max-deployment-window)")
            }
        }
    }
}
