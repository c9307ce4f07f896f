// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "audit",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "audit", targets: ["audit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.70.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.20.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // The numbered SQL migrations, embedded into the binary so an installed `audit` needs no files beside it.
        .target(
            name: "AuditSchema",
            path: "Schema",
            resources: [
                .embedInCode("001_events.sql"),
                .embedInCode("002_deployments.sql"),
                .embedInCode("003_drift_findings.sql"),
                .embedInCode("004_event_indexes.sql"),
                .embedInCode("005_webhook_replays.sql"),
                .embedInCode("006_container_creates.sql"),
                .embedInCode("007_retention.sql"),
                .embedInCode("008_notifications.sql"),
                .embedInCode("009_host_identity.sql"),
                .embedInCode("010_forward_changes.sql"),
                .embedInCode("011_forward_changes_deletes.sql"),
                .embedInCode("postgres/001_fleet.sql"),
                .embedInCode("postgres/002_fleet_records.sql"),
            ]
        ),
        .target(name: "AuditSupport"),
        .target(name: "HTTPTransport", dependencies: ["CCurl", "AuditSupport"]),
        .target(
            name: "DockerAPI",
            dependencies: [
                "HTTPTransport", "AuditSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "AuditStore",
            dependencies: [
                "CSQLite", "AuditSchema", "DockerAPI", "Deployments", "AuditSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Drift",
            dependencies: ["AuditSupport", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "Deployments",
            dependencies: ["AuditSupport", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "Matcher", dependencies: ["AuditSupport"]),
        .target(name: "Findings", dependencies: ["AuditStore", "Matcher", "Deployments", "DockerAPI", "AuditSupport"]),
        .target(
            name: "Webhook",
            dependencies: [
                "Deployments", "AuditSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Notify",
            dependencies: [
                "Findings", "AuditStore", "Matcher", "Deployments", "HTTPTransport", "AuditSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "Fleet",
            dependencies: [
                "AuditStore", "AuditSchema", "Findings", "Matcher", "Deployments", "Webhook", "DockerAPI", "AuditSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "Collector",
            dependencies: [
                "DockerAPI", "AuditStore", "Findings", "Drift", "AuditSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "AuditCLI",
            dependencies: [
                "HTTPTransport", "DockerAPI", "AuditStore", "Collector", "Drift", "Deployments", "Matcher", "Findings", "Notify", "Webhook", "Fleet", "AuditSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(name: "audit", dependencies: ["AuditCLI"]),
        .testTarget(name: "AuditSupportTests", dependencies: ["AuditSupport"]),
        .testTarget(name: "DockerAPITests", dependencies: ["DockerAPI"], exclude: ["Fixtures"]),
        .testTarget(name: "AuditStoreTests", dependencies: ["AuditStore", "DockerAPI", "AuditSchema", "Deployments"]),
        .testTarget(name: "DeploymentsTests", dependencies: ["Deployments", "AuditSupport", .product(name: "Crypto", package: "swift-crypto")], exclude: ["Fixtures"]),
        .testTarget(
            name: "WebhookTests",
            dependencies: [
                "Webhook", "Deployments", "AuditSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "FleetTests", dependencies: ["Fleet", "AuditSupport"]),
        .testTarget(name: "MatcherTests", dependencies: ["Matcher", "AuditSupport"]),
        .testTarget(name: "FindingsTests", dependencies: ["Findings", "Collector", "AuditStore", "Matcher", "Deployments", "DockerAPI", "AuditSupport"]),
        .testTarget(name: "DriftTests", dependencies: ["Drift", "AuditSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "CollectorTests",
            dependencies: [
                "Collector", "AuditStore", "DockerAPI", "AuditCLI", "Drift", "Deployments", "Fleet", "AuditSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "NotifyTests",
            dependencies: [
                "Notify", "AuditStore", "Matcher", "Deployments", "HTTPTransport", "AuditSupport",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
