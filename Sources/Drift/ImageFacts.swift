/// What is known about images, from `docker image inspect`; every part may be empty
/// (offline mode), in which case the checks that need it are skipped.
public struct ImageFacts: Sendable, Equatable {
    /// Image ID -> `RepoDigests` (`repo@sha256:...`).
    public var repoDigests: [String: [String]]
    /// Image reference as in the manifest -> the image ID it resolves to now.
    public var currentImageIDs: [String: String]
    /// Image ID -> the image's `Config.Env`, so image-provided variables are not reported as extra.
    public var imageEnv: [String: [String]]
    /// Image ID -> the image's `Config.Labels`, so image-provided labels are not reported as extra.
    public var imageLabels: [String: [String: String]]

    public init(repoDigests: [String: [String]] = [:], currentImageIDs: [String: String] = [:],
                imageEnv: [String: [String]] = [:], imageLabels: [String: [String: String]] = [:]) {
        self.repoDigests = repoDigests
        self.currentImageIDs = currentImageIDs
        self.imageEnv = imageEnv
        self.imageLabels = imageLabels
    }

    /// No facts at all: digest, image-ID and extra-key checks are skipped.
    public static let none = ImageFacts()
}
