import Deployments

extension DeploymentRepository {
    /// What becomes of `record` posted while `existing` is stored under its id: the rule every deployment
    /// store applies (this one, and the fleet's PostgreSQL behind `audit serve`). `.stored(_, created:)`
    /// holds the record to write; any other outcome stores nothing.
    ///
    /// Another source under the same id is two systems claiming one deployment; a post that would widen
    /// a final record is a conflict; and `bounds` are checked again on the merged record, because a start
    /// long ago merged with a finish now would pass every post's own check.
    public static func outcome(of record: DeploymentRecord, over existing: DeploymentRecord?, bounds: DeploymentBounds?, nowNs: Int64) -> Outcome {
        guard let existing else { return .stored(record, created: true) }
        guard existing.source == record.source else { return .sourceConflict(existing: existing.source) }
        let merged: DeploymentRecord
        do throws(DeploymentConflict) {
            merged = try existing.merged(with: record)
        } catch {
            return .recordConflict(error)
        }
        if let bounds {
            do throws(DeploymentInputError) {
                try bounds.check(merged, nowNs: nowNs)
            } catch {
                return .recordConflict(DeploymentConflict(id: record.id, field: "", stored: "", offered: "",
                                                          reason: "merged with the stored record, \(error.description)"))
            }
        }
        return .stored(merged, created: false)
    }
}
