/// An event a deployment record covers.
public struct InBandEvent: Sendable, Equatable {
    public var event: MatcherEvent
    public var deploymentID: String
}
