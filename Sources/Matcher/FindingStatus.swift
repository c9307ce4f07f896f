/// Where a finding stands.
public enum FindingStatus: String, Sendable, Codable, CaseIterable {
    /// The change is still in effect.
    case open
    /// A later in-band deployment recreated, reconfigured or removed the container or its service.
    case reconciled
    /// The container was removed outside any deployment.
    case gone
    /// A person acknowledged it and the acknowledgement has not expired.
    case acknowledged
    /// The acknowledgement expired while the change is still in effect: the manual fix never reached
    /// the manifest.
    case stale
}
