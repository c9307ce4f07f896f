#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
@testable import Drift

/// Test inputs under Tests/DriftTests/Fixtures, found relative to this file.
enum Fixtures {
    static let directory = PathResolver.directory(of: #filePath) + "/Fixtures"

    static func text(_ name: String) throws -> String {
        let path = directory + "/" + name
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DriftError("fixture \(path) missing")
        }
        return String(decoding: data, as: UTF8.self)
    }

    static let shopEnvironment = ["DB_PASSWORD": "s3cret-pw", "HOME": "/home/ops"]

    /// The shop manifest as deployed in /srv/shop on the inspected host.
    static func shopProject() throws -> ComposeProject {
        try ComposeLoader.load(
            sources: [.init(path: "docker-compose.yml", text: text("shop/docker-compose.yml"))],
            projectDirectory: "/srv/shop", projectName: nil, variables: shopEnvironment)
    }

    static func shopContainers() throws -> [ActualContainer] {
        try ActualContainer.decodeInspectArray(Array(text("shop/inspect.json").utf8))
    }

    static let nginxID = "sha256:a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6"
    static let apiID = "sha256:c3d9e2f1a0b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2"
    static let postgresID = "sha256:f1d8b1e2a3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0"
    static let apiDigest = "sha256:4f53f6c2b1a4e7d0c9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6"

    /// What `docker image inspect` reports for the three images.
    static let shopImages = ImageFacts(
        repoDigests: [
            nginxID: ["nginx@sha256:86e53c4c16a6a276b204b0fd3a8143d86547c967dc8258b3d47c3a21bb68d3c6"],
            apiID: ["ghcr.io/acme/shop-api@\(apiDigest)"],
            postgresID: ["postgres@sha256:a5e89e5f2679863bedef929c4a7ec5d1a2cb3c045f13b47680d86f8701144ed7"],
        ],
        currentImageIDs: [
            "nginx:1.25.3": nginxID,
            "ghcr.io/acme/shop-api@\(apiDigest)": apiID,
            "postgres:15.4": postgresID,
        ],
        imageEnv: [
            nginxID: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "NGINX_VERSION=1.25.3",
                      "NJS_VERSION=0.8.2", "PKG_RELEASE=1~bookworm"],
            apiID: ["PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
                    "PYTHON_VERSION=3.11.6", "PYTHONUNBUFFERED=1"],
            postgresID: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/postgresql/15/bin",
                         "GOSU_VERSION=1.16", "LANG=en_US.utf8", "PG_MAJOR=15", "PG_VERSION=15.4-2.pgdg120+1",
                         "PGDATA=/var/lib/postgresql/data"],
        ],
        imageLabels: [
            nginxID: ["maintainer": "NGINX Docker Maintainers <docker-maint@nginx.com>"],
            apiID: ["org.opencontainers.image.source": "https://github.com/acme/shop-api"],
            postgresID: [:],
        ])

    /// Loads compose texts as if they were files in /proj.
    static func load(_ texts: [String], variables: [String: String] = [:], projectName: String? = nil) throws -> ComposeProject {
        let sources = texts.enumerated().map { ComposeLoader.Source(path: "file\($0.offset + 1).yml", text: $0.element) }
        return try ComposeLoader.load(sources: sources, projectDirectory: "/proj", projectName: projectName,
                                      variables: variables)
    }

    static func service(_ texts: [String], _ name: String, variables: [String: String] = [:]) throws -> ExpectedService {
        let project = try load(texts, variables: variables)
        guard let service = project.services[name] else { throw DriftError("no service \(name)") }
        return service
    }
}
