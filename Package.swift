// swift-tools-version:6.2
import PackageDescription

/// Every target of ours builds in the Swift 6 language mode (strict concurrency) and treats
/// warnings as errors, so "no warnings" is enforced by the build rather than by review.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

/// The modules of one role each, with the adapters each needs. They depend on the domain and
/// on adapters, never on each other: `MottakApp` wires them together.
let roleModules: [(name: String, dependencies: [Target.Dependency])] = [
    (
        "Intake",
        [
            "Storage", "Submissions", "PlanStatusRecords", "Maskinporten", "ApiSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]
    ),
    (
        "EventIntake",
        [
            "Submissions", "Kafka", "EventProcessing",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]
    ),
    (
        "OutboxRelay",
        [
            "Storage", "Kafka",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]
    ),
    (
        "SykmeldingIngest",
        [
            "Storage", "Kafka", "EventProcessing",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]
    ),
    (
        "StatusUpdater",
        [
            "Storage", "PlanStatusRecords", "Kafka", "EventProcessing",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]
    ),
    (
        "Lookup",
        [
            "Storage", "Kafka", "EventProcessing", "NavClients", "PlanStatusRecords", "PlanPdf",
            .product(name: "Logging", package: "swift-log"),
        ]
    ),
    (
        "NavChannel",
        [
            "Storage", "Kafka", "EventProcessing", "NavClients", "PlanPdf", "PlanStatusRecords",
            .product(name: "Logging", package: "swift-log"),
        ]
    ),
    (
        "GpChannel",
        [
            "Storage", "Kafka", "EventProcessing", "NavClients", "PlanPdf", "PlanStatusRecords",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]
    ),
    (
        "ChannelRouter",
        [
            "Kafka", "EventProcessing",
            .product(name: "Logging", package: "swift-log"),
        ]
    ),
    (
        "ModiaApi",
        [
            "Storage", "ApiSupport", "AzureAD", "AuditLog", "NavClients",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]
    ),
    (
        "StatusQuery",
        [
            "Storage", "PlanStatusRecords", "ApiSupport", "Maskinporten",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]
    ),
]

let package = Package(
    name: "oppfolgingsplan-mottak",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mottak", targets: ["mottak"]),
        .executable(name: "mottak-dev", targets: ["mottak-dev"]),
        .executable(name: "kafka-benchmark", targets: ["kafka-benchmark"]),
    ],
    // Direct dependencies are pinned to exact versions: `Package.resolved` cannot be committed on
    // our machines, and a build must not pick up a newer release of a library we call by itself.
    // What this leaves open: the packages these depend on (swift-collections, swift-asn1,
    // swift-certificates, …) still resolve within the ranges their dependents declare. NAV's CI
    // should cache and commit the resolution it tested (`swift package resolve`) where it can.
    dependencies: [
        // Hummingbird without its swift-configuration trait: we read our own typed configuration.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/vapor/postgres-nio.git", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
        // Already built for postgres-nio (SCRAM); we use its SHA-256 for migration checksums.
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
        // HTTP client for Maskinporten's key set now and NAV's APIs (issue #5).
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        // Already in Hummingbird's tree: the metrics API; Prometheus exposition for /internal/metrics.
        .package(url: "https://github.com/apple/swift-metrics.git", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0"),
        // Already in Hummingbird's tree: the tracing API (spans, W3C context in Kafka headers).
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", exact: "1.7.3"),
        // OpenTelemetry: the OTLP/HTTP span exporter, off unless configured (gRPC left out).
        .package(url: "https://github.com/swift-otel/swift-otel.git", exact: "1.6.0", traits: ["OTLPHTTP"]),
        // Tests only: a real OpenAPI parser and validator for Resources/openapi.yaml (YAML via Yams).
        .package(url: "https://github.com/mattpolzin/OpenAPIKit.git", exact: "6.4.0", traits: []),
        .package(url: "https://github.com/jpsim/Yams.git", exact: "6.2.2"),
    ],
    targets: [
        // MARK: librdkafka
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // librdkafka's mock cluster: `mottak-dev` and the tests, never the production binary.
        .target(
            name: "KafkaMock",
            dependencies: ["CRdKafka", "Kafka", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),

        // MARK: Domain and adapters
        .target(name: "Domain", swiftSettings: strictSettings),
        .target(
            name: "Storage",
            dependencies: [
                "Domain",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "NavClients",
            dependencies: [
                "Domain",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        // What every token we accept passes, whoever issued it: the issuer's cached keys, the RS256
        // signature, the time claims. swift-crypto's RSA is already built for postgres-nio.
        .target(
            name: "TokenVerification",
            dependencies: [
                "Domain",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // LPS systems' Maskinporten tokens (the LPS routes).
        .target(name: "Maskinporten", dependencies: ["Domain", "TokenVerification"], swiftSettings: strictSettings),
        // NAV staff's Azure AD tokens (the case workers' routes).
        .target(name: "AzureAD", dependencies: ["Domain", "TokenVerification"], swiftSettings: strictSettings),
        // The audit log of NAV staff's access to a person's data: CEF records over syslog/TCP.
        .target(
            name: "AuditLog",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // The plan's PDF and the plan as the channels read it, shared by the NAV and GP channels.
        .target(
            name: "PlanPdf",
            dependencies: [
                "Domain", "Storage", "NavClients",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // The front doors' one write: the plan, its status row and its outbox event in one
        // statement, with the Idempotency-Key claim (the HTTP intake and the event intake).
        .target(
            name: "Submissions",
            dependencies: [
                "Domain", "Storage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // A plan's status row as the contract shows it, and the NOTIFY of its changes: written by
        // the status updater, read by the status query and the intake's wait for an outcome.
        .target(
            name: "PlanStatusRecords",
            dependencies: [
                "Domain", "Storage",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // What every consuming role shares: the consume-retry-dead-letter loop.
        .target(
            name: "EventProcessing",
            dependencies: [
                "Domain", "Kafka", "Storage",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // What every public route shares: request context, call ids, ApiError responses, auth.
        .target(
            name: "ApiSupport",
            dependencies: [
                "Domain", "Maskinporten", "AzureAD",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // The cut-over: the previous service's plans brought over (`mottak import-legacy`).
        .target(
            name: "LegacyImport",
            dependencies: [
                "Domain",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LocalStandIns",
            dependencies: [
                "Domain", "TokenVerification",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
    ]
        + roleModules.map { .target(name: $0.name, dependencies: ["Domain"] + $0.dependencies, swiftSettings: strictSettings) }
        + [
            // MARK: Wiring and the executable
            .target(
                name: "MottakApp",
                dependencies: [
                    "Domain", "Kafka", "Storage", "NavClients", "Maskinporten", "AzureAD", "TokenVerification", "AuditLog", "ApiSupport",
                    "EventProcessing", "PlanPdf", "Submissions", "PlanStatusRecords",
                    .product(name: "Crypto", package: "swift-crypto"),
                    .product(name: "Hummingbird", package: "hummingbird"),
                    .product(name: "Metrics", package: "swift-metrics"),
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "Prometheus", package: "swift-prometheus"),
                    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                    .product(name: "Tracing", package: "swift-distributed-tracing"),
                    .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                    .product(name: "Logging", package: "swift-log"),
                    .product(name: "PostgresNIO", package: "postgres-nio"),
                    .product(name: "OTel", package: "swift-otel"),
                ] + roleModules.map { .byName(name: $0.name) },
                // Served as they are (StaticAssets): the OpenAPI document, Swagger UI.
                resources: [.copy("Resources")],
                swiftSettings: strictSettings
            ),
            // The production binary: serve, migrate, dlq, import-legacy.
            .executableTarget(
                name: "mottak",
                dependencies: [
                    "MottakApp", "Kafka", "Storage", "Domain", "EventProcessing", "LegacyImport",
                    .product(name: "ArgumentParser", package: "swift-argument-parser"),
                    .product(name: "Logging", package: "swift-log"),
                ],
                swiftSettings: strictSettings
            ),
            // The local stack: throwaway PostgreSQL, embedded Kafka, NAV's and Maskinporten's
            // stand-ins with fault controls, the demo form, token minting.
            .target(
                name: "MottakDev",
                dependencies: [
                    "MottakApp", "LocalStandIns", "KafkaMock", "Kafka", "Storage", "Domain", "ApiSupport", "Maskinporten", "NavClients",
                    "AuditLog",
                    .product(name: "Crypto", package: "swift-crypto"),
                    .product(name: "NIOPosix", package: "swift-nio"),
                    .product(name: "Hummingbird", package: "hummingbird"),
                    .product(name: "HTTPTypes", package: "swift-http-types"),
                    .product(name: "Logging", package: "swift-log"),
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "PostgresNIO", package: "postgres-nio"),
                    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                ],
                // The demo form's page, script and style (DemoRoutes).
                resources: [.copy("Resources")],
                swiftSettings: strictSettings
            ),
            .executableTarget(
                name: "mottak-dev",
                dependencies: [
                    "MottakDev", "MottakApp", "LocalStandIns", "Kafka", "KafkaMock", "Storage", "Submissions", "Domain",
                    .product(name: "ArgumentParser", package: "swift-argument-parser"),
                    .product(name: "Logging", package: "swift-log"),
                    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                    .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                ],
                swiftSettings: strictSettings
            ),

            // MARK: Benchmarks (make bench-kafka)
            .executableTarget(
                name: "kafka-benchmark",
                dependencies: ["Kafka", "KafkaMock", .product(name: "Logging", package: "swift-log")],
                swiftSettings: strictSettings
            ),

            // MARK: Tests
            .target(
                name: "TestSupport",
                dependencies: [
                    "Storage", "Kafka", "KafkaMock",
                    .product(name: "PostgresNIO", package: "postgres-nio"),
                    .product(name: "Logging", package: "swift-log"),
                    .product(name: "NIOPosix", package: "swift-nio"),
                ],
                path: "Tests/TestSupport",
                swiftSettings: strictSettings
            ),
            .testTarget(name: "DomainTests", dependencies: ["Domain"], swiftSettings: strictSettings),
            .testTarget(
                name: "MaskinportenTests",
                dependencies: [
                    "Maskinporten", "AzureAD", "TokenVerification", "LocalStandIns", "Domain", "TestSupport",
                    .product(name: "Crypto", package: "swift-crypto"),
                ],
                swiftSettings: strictSettings
            ),
            .testTarget(
                name: "KafkaTests",
                dependencies: [
                    "Kafka", "KafkaMock", "CRdKafka", "TestSupport",
                    .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                ],
                swiftSettings: strictSettings
            ),
            .testTarget(
                name: "PipelineTests",
                dependencies: [
                    "EventProcessing", "SykmeldingIngest", "StatusUpdater", "Lookup", "ChannelRouter", "NavChannel", "GpChannel", "PlanPdf",
                    "Intake", "StatusQuery", "Submissions", "PlanStatusRecords", "OutboxRelay", "NavClients", "LocalStandIns", "Storage", "Kafka",
                    "ModiaApi", "AuditLog", "AzureAD", "ApiSupport",
                    "KafkaMock",
                    "Domain", "TestSupport",
                    .product(name: "PostgresNIO", package: "postgres-nio"),
                    .product(name: "Logging", package: "swift-log"),
                    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                    .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                    .product(name: "HTTPTypes", package: "swift-http-types"),
                    .product(name: "Prometheus", package: "swift-prometheus"),
                    .product(name: "Metrics", package: "swift-metrics"),
                ],
                swiftSettings: strictSettings
            ),
            // Every sample answer of NAV's APIs (Samples/, read from the source tree) through the clients.
            .testTarget(
                name: "NavContractTests",
                dependencies: ["NavClients", "LocalStandIns", "SykmeldingIngest", "Domain", .product(name: "Logging", package: "swift-log")],
                exclude: ["Samples"],
                swiftSettings: strictSettings
            ),
            .testTarget(
                name: "StorageTests",
                dependencies: ["Storage", "TestSupport", .product(name: "PostgresNIO", package: "postgres-nio")],
                swiftSettings: strictSettings
            ),
            .testTarget(
                name: "MottakAppTests",
                dependencies: [
                    "MottakApp", "MottakDev", "KafkaMock", "TestSupport", "LocalStandIns", "Storage", "Kafka", "OutboxRelay", "Maskinporten",
                    "TokenVerification", "AuditLog", "LegacyImport",
                    "ApiSupport", "Domain", "SykmeldingIngest", "StatusUpdater", "Submissions", "PlanStatusRecords",
                    .product(name: "Prometheus", package: "swift-prometheus"),
                    .product(name: "HummingbirdTesting", package: "hummingbird"),
                    .product(name: "HTTPTypes", package: "swift-http-types"),
                    .product(name: "AsyncHTTPClient", package: "async-http-client"),
                    .product(name: "PostgresNIO", package: "postgres-nio"),
                    .product(name: "Metrics", package: "swift-metrics"),
                    .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                    .product(name: "OpenAPIKit30", package: "OpenAPIKit"),
                    .product(name: "Yams", package: "Yams"),
                ],
                // The old service's Flyway migrations, read from the source tree by the cut-over tests.
                exclude: ["CutOver/LegacySchema"],
                swiftSettings: strictSettings
            ),
        ]
)
