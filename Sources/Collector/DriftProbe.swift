import DockerAPI
import Drift

/// Gathers what the drift check compares against, from the engine: the inspect of every container of
/// a compose project, and what the images they use (and the manifest names) resolve to now.
public struct DriftProbe: Sendable {
    let client: DockerClient

    public init(client: DockerClient) { self.client = client }

    public struct Observation: Sendable {
        public var containers: [ActualContainer]
        public var images: ImageFacts

        public init(containers: [ActualContainer], images: ImageFacts) {
            self.containers = containers
            self.images = images
        }
    }

    public func observe(project: String, expectedImages: [String]) async throws -> Observation {
        var raw: [UInt8] = [UInt8(ascii: "[")]
        var first = true
        for summary in try await client.listContainers() where summary.labels?["com.docker.compose.project"] == project {
            guard let body = try await client.inspectContainerRaw(summary.id) else { continue }
            if !first { raw.append(UInt8(ascii: ",")) }
            raw += body
            first = false
        }
        raw.append(UInt8(ascii: "]"))
        let containers = try ActualContainer.decodeInspectArray(raw)
        var facts = ImageFacts()
        for imageID in Set(containers.map(\.imageID)) {
            guard let image = try await client.inspectImage(imageID) else { continue }
            facts.repoDigests[imageID] = image.repoDigests ?? []
            facts.imageEnv[imageID] = image.config?.env ?? []
            facts.imageLabels[imageID] = image.config?.labels ?? [:]
        }
        for reference in Set(expectedImages) {
            if let image = try await client.inspectImage(reference) { facts.currentImageIDs[reference] = image.id }
        }
        return Observation(containers: containers, images: facts)
    }
}
