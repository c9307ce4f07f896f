/// What sort of out-of-band change a finding reports: one vocabulary for the matcher's findings and
/// the drift check's, typed through the store.
public enum FindingKind: String, Sendable, Codable, CaseIterable {
    /// A command run inside a container.
    case exec
    /// `docker update` of resources or restart policy.
    case update
    /// restart, stop, kill, start, pause, unpause, rename, destroy, attach.
    case lifecycle
    /// A container created outside any deployment.
    case unmanagedContainer = "unmanaged-container"
    /// A service container recreated by hand, or running another image than its deployment declared.
    case imageDrift = "image-drift"
    /// `docker cp` into (`extract-to-dir`) or out of (`archive-path`) a container.
    case copy
    /// `docker commit` of a container.
    case commit
    /// A manual image pull, tag, untag, delete, load or import.
    case image
    /// A change the reconciler found after a gap in coverage.
    case unobserved
    /// A running container differs from the compose manifest (found by the drift check).
    case configDrift = "config-drift"
    /// A container labelled with the project whose service the manifest does not have.
    case orphan
    /// A service of the manifest with no container (`audit drift`; the collector's drift check files
    /// it as `config-drift`).
    case missing
    /// A service container that no deployment has recreated for longer than `--max-age`: the manifest
    /// alone has not been shown to rebuild it.
    case notRecreated = "not-recreated"
}
