// swift-tools-version:6.0
import PackageDescription

/// Strict settings shared by every target: Swift 6 language mode plus the upcoming features
/// that keep dependencies explicit (see STYLE.md).
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The AVX-512 copy of the tree kernels is compiled for the first AVX-512 server CPU (Skylake-SP's
/// instruction set, which later Intel and AMD Zen 4 CPUs have too) and chosen at run time by CPUID;
/// elsewhere it is built for the baseline like everything else (and never chosen).
#if arch(x86_64)
let avx512: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "skylake-avx512"])]
#else
let avx512: [SwiftSetting] = []
#endif

let package = Package(
    name: "pulk",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "pulk", targets: ["pulk"]),
        .library(name: "PulkFrame", targets: ["PulkFrame"]),
        .library(name: "PulkProfile", targets: ["PulkProfile"]),
        .library(name: "PulkMonitoring", targets: ["PulkMonitoring"]),
        .library(name: "PulkWorkspace", targets: ["PulkWorkspace"]),
        .library(name: "PulkLearn", targets: ["PulkLearn"]),
        .library(name: "PulkTrees", targets: ["PulkTrees"]),
        .library(name: "PulkModels", targets: ["PulkModels"]),
        .library(name: "PulkAutoML", targets: ["PulkAutoML"]),
        .library(name: "PulkStore", targets: ["PulkStore"]),
        .library(name: "PulkSQL", targets: ["PulkSQL"]),
        .library(name: "PulkEndpoints", targets: ["PulkEndpoints"]),
        .library(name: "PulkServer", targets: ["PulkServer"]),
        .library(name: "PulkTracking", targets: ["PulkTracking"]),
        .library(name: "PulkScoring", targets: ["PulkScoring"]),
        .library(name: "PulkServing", targets: ["PulkServing"]),
        .library(name: "PulkApp", targets: ["PulkApp"]),
        .library(name: "PulkAccess", targets: ["PulkAccess"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.20.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.28.0"),
    ],
    targets: [
        // zlib from the system (Debian: zlib1g-dev) for `.csv.gz` input.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        // Frame and I/O: columns, CSV/JSONL readers and writer, Parquet reader and writer, binary frame files. No database, HTTP or crypto.
        // zstd from the system (Debian: libzstd-dev) for Zstd-compressed Parquet pages.
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),
        .target(name: "PulkFrame", dependencies: ["CZlib", "CZstd", "PulkJSON"], swiftSettings: strict),
        // Profiling: statistics, correlations, warnings, JSON and HTML reports.
        .target(name: "PulkProfile", dependencies: ["PulkFrame"], swiftSettings: strict),
        // Monitoring: drift tests and distances (numbers equal to scipy's and Evidently's), data quality against a
        // reference, drift reports as JSON and self-contained HTML. No database or HTTP.
        .target(name: "PulkMonitoring", dependencies: ["PulkFrame", "PulkProfile"], swiftSettings: strict),
        // Learning core: metrics (first piece of issue 3); no database, HTTP or crypto.
        .target(name: "PulkLearn", dependencies: ["PulkFrame", "PulkLearnKernels", "PulkLearnKernelsAVX512", "CPulkCPU"], swiftSettings: strict),
        // k-means' distance loops, all @inlinable: inlined into PulkLearn for the baseline CPU, and
        // into PulkLearnKernelsAVX512, compiled for AVX-512 (chosen at run time, as for the trees).
        .target(name: "PulkLearnKernels", dependencies: ["CPulkCPU"], swiftSettings: strict),
        .target(name: "PulkLearnKernelsAVX512", dependencies: ["PulkLearnKernels"], swiftSettings: strict + avx512),
        // CPU feature detection (CPUID through the C compiler's builtin), for picking a kernel at run time.
        .target(name: "CPulkCPU"),
        // The bitvector tree predictor's scoring loops, all @inlinable: inlined into PulkTrees for the
        // baseline CPU, and into PulkTreeKernelsAVX512, compiled for AVX-512.
        .target(name: "PulkTreeKernels", swiftSettings: strict),
        .target(name: "PulkTreeKernelsAVX512", dependencies: ["PulkTreeKernels"], swiftSettings: strict + avx512),
        // Trees: histogram gradient boosting, random forest, extra trees, decision tree, TreeSHAP. No database or HTTP.
        .target(name: "PulkTrees", dependencies: ["PulkFrame", "PulkLearn", "PulkTreeKernels", "PulkTreeKernelsAVX512", "CPulkCPU"],
                swiftSettings: strict),
        // The catalog of every model (learning core + trees): one list for the CLI, the docs and the contract suite.
        .target(name: "PulkModels", dependencies: ["PulkLearn", "PulkTrees"], swiftSettings: strict),
        // AutoML: search spaces, cost-frugal local search, budgets and validation over any estimators. No database or HTTP.
        .target(name: "PulkAutoML", dependencies: ["PulkFrame", "PulkLearn"], swiftSettings: strict),
        // Scoring: request shapes (Pulk's, MLflow's, CSV) checked against a model's schema into frames; responses;
        // streaming batch scoring. No database or HTTP.
        .target(name: "PulkScoring", dependencies: ["PulkFrame", "PulkLearn", "PulkJSON", "CPulkJSON"], swiftSettings: strict),
        // The vector reader of rows of JSON numbers (byte shuffles Swift cannot express), for PulkScoring.
        .target(name: "CPulkJSON"),
        // Workspace: SQLite metadata (GRDB), content-addressed blobs, dataset versions.
        .target(name: "PulkWorkspace", dependencies: [
            "PulkFrame", "PulkSQL",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // The store's protocols and records: tracking, registry, access, webhooks, artifacts on disk. No database driver.
        .target(name: "PulkStore", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // Serving's records and their store protocol: endpoints, deployments, settings, the change history and the
        // serving log, with the rules every store applies. No database driver or HTTP.
        .target(name: "PulkEndpoints", dependencies: ["PulkStore"], swiftSettings: strict),
        // The SQL engine behind the store's protocols: SQLite (GRDB) and PostgreSQL (postgres-nio), one schema,
        // MLflow's search grammar compiled to SQL.
        .target(name: "PulkSQL", dependencies: [
            "PulkStore", "PulkEndpoints", "PulkJSON",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], swiftSettings: strict),
        // SQL sources: a query's result from PostgreSQL or SQLite streamed into a frame (`pulk data add --sql`).
        .target(name: "PulkSQLSources", dependencies: [
            "PulkFrame",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        // ONNX export: tree models as ai.onnx.ml graphs on the raw columns. The protobuf code in Generated/ is made once
        // from onnx-ml.proto by protoc and protoc-gen-swift (see DEVELOPERS.md), never by a build plugin.
        .target(name: "PulkONNX", dependencies: [
            "PulkFrame", "PulkLearn", "PulkTrees", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ], swiftSettings: strict),
        // Tracked training: runs of `pulk train`/`evaluate` with their artifacts and plots, to the local store or a
        // remote MLflow-protocol server; lineage from model versions back to dataset versions.
        .target(name: "PulkTracking", dependencies: [
            "PulkStore", "PulkSQL", "PulkLearn", "PulkProfile", "PulkWorkspace", "PulkFrame", "PulkJSON",
        ], swiftSettings: strict),
        // Serving: endpoints with traffic split, mirrors and micro-batching over HTTP (Hummingbird), kept in step with
        // the endpoint store; the scoring API and MLflow's /invocations; metrics; the sampled serving log.
        .target(name: "PulkServing", dependencies: [
            "PulkScoring", "PulkLearn", "PulkModels", "PulkFrame", "PulkStore", "PulkEndpoints", "PulkAccess", "PulkJSON",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
        ], swiftSettings: strict),
        // The tracking server: MLflow's REST protocol, the artifact proxy and Pulk's native API on Hummingbird.
        // Pulk's one JSON reader and writer (bounded-depth reader over bytes, sorted-key writers), for every
        // target that reads or writes JSON by hand: the servers, scoring, the store and the HTTP clients. No dependencies.
        .target(name: "PulkJSON", swiftSettings: strict),
        .target(name: "PulkServer", dependencies: [
            "PulkApp", "PulkAccess", "PulkLearn", "PulkStore", "PulkEndpoints", "PulkSQL", "PulkWorkspace", "PulkProfile", "PulkFrame", "PulkTracking", "PulkServing", "PulkJSON",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ], swiftSettings: strict),
        // Teams: password and token credentials, the authenticator, the access policy (roles, grants) and the
        // flows that manage users, tokens and grants with an audit entry each. No HTTP.
        .target(name: "PulkAccess", dependencies: [
            "PulkStore",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ], swiftSettings: strict),
        // The application layer: the flows every front end (the CLI, the server, workers) calls: tracked training
        // and evaluation, model references, deploy planning and endpoint management, batch scoring, one
        // workbench (workspace, store, tracking client) per process. No HTTP.
        .target(name: "PulkApp", dependencies: [
            "PulkAccess", "PulkFrame", "PulkLearn", "PulkModels", "PulkAutoML", "PulkProfile", "PulkMonitoring", "PulkWorkspace", "PulkStore", "PulkEndpoints", "PulkSQL", "PulkTracking", "PulkScoring",
            "PulkJSON", "PulkSQLSources", "PulkONNX",
        ], swiftSettings: strict),
        // The `pulk` command: parses arguments, calls the application layer, prints.
        .executableTarget(name: "pulk", dependencies: [
            "PulkApp", "PulkAccess", "PulkFrame", "PulkProfile", "PulkMonitoring", "PulkWorkspace", "PulkLearn", "PulkTrees", "PulkModels", "PulkAutoML", "PulkStore", "PulkEndpoints", "PulkServer", "PulkTracking", "PulkScoring", "PulkServing",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        // Benchmarks: run in release, print Pulk / anchor ratios (see BENCHMARKS.md).
        .executableTarget(name: "PulkBench", dependencies: ["PulkFrame", "PulkProfile", "PulkMonitoring", "PulkWorkspace", "PulkLearn", "PulkTrees", "PulkScoring"],
                          path: "Sources/PulkBench", swiftSettings: strict),

        // Helpers shared by the test targets (the Python oracles); not part of any product.
        .target(name: "PulkTestSupport", dependencies: ["PulkFrame", "PulkLearn"], swiftSettings: strict),

        .testTarget(name: "PulkFrameTests", dependencies: ["PulkFrame", "PulkTestSupport"], swiftSettings: strict),
        .testTarget(name: "PulkMonitoringTests", dependencies: ["PulkMonitoring", "PulkFrame", "PulkTestSupport"], swiftSettings: strict),
        .testTarget(name: "PulkProfileTests", dependencies: ["PulkProfile", "PulkFrame"],
                    exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "PulkTreesTests", dependencies: ["PulkTrees", "PulkTreeKernels", "PulkLearn", "PulkFrame", "PulkTestSupport"], swiftSettings: strict),
        .testTarget(name: "PulkAutoMLTests", dependencies: ["PulkAutoML", "PulkModels", "PulkLearn", "PulkFrame", "PulkTestSupport"], swiftSettings: strict),
        .testTarget(name: "PulkModelsTests", dependencies: ["PulkModels", "PulkTrees", "PulkLearn", "PulkFrame", "PulkTestSupport"], swiftSettings: strict),
        .testTarget(name: "PulkLearnTests", dependencies: ["PulkLearn", "PulkFrame", "PulkTestSupport"], exclude: ["Fixtures"],
                    swiftSettings: strict),
        .testTarget(name: "PulkStoreTests", dependencies: ["PulkStore", "PulkEndpoints", "PulkSQL", "PulkAccess", "PulkTestSupport"], swiftSettings: strict),
        .testTarget(name: "PulkServerTests", dependencies: ["PulkServer", "PulkJSON", "PulkApp", "PulkAccess", "PulkTracking", "PulkStore", "PulkEndpoints", "PulkSQL", "PulkServing", "PulkWorkspace", "PulkFrame", "PulkTestSupport",
                                                          .product(name: "Hummingbird", package: "hummingbird"),
                                                          .product(name: "HummingbirdTesting", package: "hummingbird"),
                                                          .product(name: "HTTPTypes", package: "swift-http-types")], swiftSettings: strict),
        .testTarget(name: "PulkTrackingTests", dependencies: ["PulkTracking", "PulkStore", "PulkSQL", "PulkLearn", "PulkFrame", "PulkWorkspace", "PulkProfile", "PulkModels"], swiftSettings: strict),
        .testTarget(name: "PulkScoringTests", dependencies: ["PulkScoring", "PulkLearn", "PulkFrame", "PulkModels", "PulkJSON", "CPulkJSON"], swiftSettings: strict),
        .testTarget(name: "PulkServingTests", dependencies: ["PulkServing", "PulkScoring", "PulkStore", "PulkEndpoints", "PulkSQL", "PulkLearn", "PulkFrame", "PulkModels", "PulkTestSupport",
                                                           .product(name: "Hummingbird", package: "hummingbird"),
                                                           .product(name: "HummingbirdTesting", package: "hummingbird"), .product(name: "HummingbirdCore", package: "hummingbird"),
                                                           .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                                                           .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
                                                           .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                                                           .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                                                           .product(name: "Crypto", package: "swift-crypto")], swiftSettings: strict),
        .testTarget(name: "PulkWorkspaceTests", dependencies: ["PulkWorkspace", "PulkFrame", "PulkSQL"], swiftSettings: strict),
        .testTarget(name: "PulkAppTests", dependencies: ["PulkApp", "PulkLearn", "PulkStore", "PulkEndpoints", "PulkSQL", "PulkTracking", "PulkWorkspace", "PulkSQLSources",
                                                       .product(name: "GRDB", package: "GRDB.swift")],
                    exclude: ["Golden"], swiftSettings: strict),
        .testTarget(name: "PulkCLITests", dependencies: ["pulk"], swiftSettings: strict),
    ]
)

// libFuzzer targets over the parsers that read what clients send (scripts/fuzz): only in a build
// that names libFuzzer's runtime without its main (libclang_rt.fuzzer_no_main) in PULK_FUZZ_RUNTIME,
// with coverage instrumentation and AddressSanitizer given on the command line.
if let runtime = Context.environment["PULK_FUZZ_RUNTIME"] {
    package.targets.append(.executableTarget(
        name: "pulk-fuzz", dependencies: ["PulkFrame", "PulkJSON", "PulkLearn", "PulkModels", "PulkScoring", "PulkStore"], path: "Fuzz/pulk-fuzz",
        swiftSettings: strict, linkerSettings: [.unsafeFlags(["-Xlinker", runtime, "-lstdc++"])]))
}
