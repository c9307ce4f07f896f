/// What the matcher concluded about one window of events.
public struct Analysis: Sendable, Equatable {
    /// Out-of-band changes, newest first.
    public var findings: [Finding]
    /// Events that are not changes a person made, with the reason, oldest first.
    public var context: [ContextEvent]
    /// Events a deployment record covers, oldest first.
    public var inBand: [InBandEvent]
    /// The covered changes with their evidence, oldest first.
    public var attributed: [Attribution]
}
