// swift-tools-version:6.1
import PackageDescription

/// One set of settings for every target, as Hummingbird does.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "alertrelay",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "alertrelay", targets: ["alertrelay"]),
        .executable(name: "alertrelay-bench", targets: ["AlertRelayBench"]),
        .library(name: "AlertRelay", targets: ["AlertRelay"]),
    ],
    dependencies: [
        // HTTP server (SwiftNIO underneath); traits off: we need neither swift-configuration nor URL-encoded forms.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0", traits: []),
        // HMAC-SHA256 with constant-time verification.
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.0"),
        // YAML config parsing.
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        // CLI: serve, check-config, sign.
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // NIOHTTPTypes: the request parts the read-deadline handler watches (already under Hummingbird).
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.0"),
        // TLS on the listener (BoringSSL; HummingbirdTesting already pulls it in): reloadable certificates and
        // client-certificate verification, which HummingbirdTLS's fixed context does not offer.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        // The durable queue: SQLite (Debian's libsqlite3) in WAL mode, with migrations and async access.
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        // Metrics: the domain counts through swift-metrics; the service exports them with swift-prometheus.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
        // The shared store for several replicas: PostgreSQL's wire protocol, a connection pool, TLS.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
        // Message templates (email subject and bodies, Slack title and text, webhook bodies), logic-less.
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.0"),
    ],
    targets: [
        // RE2 (Debian's libre2-dev), the engine of Go's regexp and so of Alertmanager's =~ matchers, behind a C
        // face of four functions. Only AlertRelayRegex uses it.
        .target(
            name: "CRE2",
            linkerSettings: [.linkedLibrary("re2")]
        ),
        // The only module that owns RE2 handles: GoRegex, Go's regexp semantics for the routing matchers.
        .target(
            name: "AlertRelayRegex",
            dependencies: ["CRE2"],
            swiftSettings: swiftSettings
        ),
        // Domain: payloads, authentication, configuration, sinks. Knows nothing of HTTP.
        .target(
            name: "AlertRelay",
            dependencies: [
                "AlertRelayRegex",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                // Timer.record(duration:) for Swift's Duration.
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // libcurl, through typed one-line wrappers over its variadic calls. Only AlertRelayCurl imports it.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // The only module that owns curl handles: HTTP (and, with the sinks, SMTP) transports.
        .target(
            name: "AlertRelayCurl",
            dependencies: [
                "AlertRelay",
                "CCurl",
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The on-disk delivery queue and dedup log. The only module that knows SQLite.
        .target(
            name: "AlertRelayStore",
            dependencies: [
                "AlertRelay",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // The PostgreSQL queue, dedup log and replay guard for several replicas. The only module that knows PostgreSQL.
        .target(
            name: "AlertRelayPostgres",
            dependencies: [
                "AlertRelay",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP adapter: the Hummingbird application, its routes and services.
        .target(
            name: "AlertRelayServer",
            dependencies: [
                "AlertRelay",
                "AlertRelayCurl",
                "AlertRelayStore",
                "AlertRelayPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                // HTTPParserError: a malformed request is answered 400, not 500.
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // Thin executable: reads arguments, calls the library.
        .executableTarget(
            name: "alertrelay",
            dependencies: [
                "AlertRelay",
                "AlertRelayCurl",
                "AlertRelayServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["BuildInfo"]
        ),
        // Stamps `alertrelay --version` with the git revision, build date and Swift version.
        .plugin(name: "BuildInfo", capability: .buildTool()),
        // scripts/bench.sh's backlog step: per-operation queue costs at 10k, 100k and 1M pending jobs.
        .executableTarget(
            name: "AlertRelayBench",
            dependencies: [
                "AlertRelay",
                "AlertRelayStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // The parsers a fuzzer drives, and the libFuzzer entry point (scripts/fuzz.sh builds it sanitized).
        .target(
            name: "AlertRelayFuzzing",
            dependencies: ["AlertRelay", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AlertRelayFuzz",
            dependencies: ["AlertRelayFuzzing"],
            swiftSettings: swiftSettings
        ),
        // What every test target shares: the fixtures in Tests/Fixtures.
        .target(
            name: "AlertRelayTestSupport",
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AlertRelayRegexTests",
            dependencies: ["AlertRelayRegex"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AlertRelayFuzzingTests",
            dependencies: ["AlertRelayFuzzing"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AlertRelayTests",
            dependencies: ["AlertRelayTestSupport", "AlertRelay"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AlertRelayCurlTests",
            dependencies: [
                "AlertRelayTestSupport",
                "AlertRelay",
                "AlertRelayCurl",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AlertRelayStoreTests",
            dependencies: [
                "AlertRelayTestSupport", "AlertRelay", "AlertRelayStore", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // One contract for every store: the same tests against SQLite and a real PostgreSQL.
        .testTarget(
            name: "AlertRelayStoreConformanceTests",
            dependencies: [
                "AlertRelay", "AlertRelayStore", "AlertRelayPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AlertRelayServerTests",
            dependencies: [
                "AlertRelayTestSupport",
                "AlertRelay",
                "AlertRelayServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    // RE2's headers are C++17.
    cxxLanguageStandard: .cxx17
)
