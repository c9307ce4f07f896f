#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ImageFacts {
    /// Reads the JSON array `docker image inspect IMAGE...` prints, so the offline check knows what the
    /// live one asks the engine: digests, the image's own env and labels, and what each tag points to.
    public static func decodeImageInspectArray(_ data: Data) throws -> ImageFacts {
        struct Image: Decodable {
            let Id: String
            let RepoTags: [String]?
            let RepoDigests: [String]?
            let Config: Config?
            struct Config: Decodable {
                let Env: [String]?
                let Labels: [String: String]?
            }
        }
        let images: [Image]
        do {
            images = try JSONDecoder().decode([Image].self, from: data)
        } catch {
            throw DriftError("image inspect json: \(error)".lowercased())
        }
        var facts = ImageFacts()
        for image in images {
            facts.repoDigests[image.Id] = image.RepoDigests ?? []
            facts.imageEnv[image.Id] = image.Config?.Env ?? []
            facts.imageLabels[image.Id] = image.Config?.Labels ?? [:]
            for tag in image.RepoTags ?? [] { facts.currentImageIDs[tag] = image.Id }
        }
        return facts
    }
}
