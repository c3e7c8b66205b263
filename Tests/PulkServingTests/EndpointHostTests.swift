import Foundation
import PulkLearn
@testable import PulkServing
import NIOCore
import HTTPTypes
import HummingbirdCore
import PulkSQL
import PulkStore
import PulkEndpoints
import Testing

/// A store with a registered model `penguins` of two versions (GBDT, then logistic), each a run's
/// `model/model.pulk`, and the alias `champion` on version 1.
func registry() async throws -> (SQLTrackingStore, ArtifactStore) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-host-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let store = try await SQLTrackingStore.open(try SQLiteDatabase(path: dir.appendingPathComponent("pulk.sqlite").path))
    let artifacts = try ArtifactStore(root: dir.appendingPathComponent("artifacts"))
    let eid = try await store.createExperiment(name: "penguins", artifactLocation: nil, tags: [])
    _ = try await store.createRegisteredModel(name: "penguins", description: "", tags: [], user: "ana")
    for model in [gbdt, logistic] {
        let run = try await store.createRun(experimentId: eid, userId: "ana", startTime: nil, runName: nil, tags: [])
        let key = try artifacts.key(ofLocation: run.info.artifactUri) + "/model/model.pulk"
        let bytes = ModelFile.encode(model)
        _ = try await artifacts.write(key, chunks: AsyncThrowingStream<[UInt8], any Error> { c in c.yield(bytes); c.finish() })
        _ = try await store.createModelVersion(name: "penguins", source: "runs:/\(run.info.runId)/model", runId: run.info.runId, modelId: nil,
                                               description: "", tags: [], runLink: "", user: "ana")
    }
    try await store.setAlias(name: "penguins", alias: "champion", version: "1", user: "ana")
    return (store, artifacts)
}

@Suite("Serving: endpoints kept in step with the store")
struct EndpointHostTests {
    @Test("Deployments load their versions; a moved alias is followed and recorded; a broken version keeps the endpoint as it was")
    func followsTheStore() async throws {
        let (store, artifacts) = try await registry()
        let host = EndpointHost(endpoints: store, registry: store, loader: EndpointHost.artifactLoader(artifacts))
        _ = try await store.createEndpoint(name: "penguins", description: "", settings: .init(), user: "ana")
        _ = try await store.setDeployments(endpoint: "penguins", [
            Deployment(name: "blue", model: "penguins", reference: "@champion", version: "1", traffic: 90),
            Deployment(name: "green", model: "penguins", reference: "2", version: "2", traffic: 10),
        ], kind: "deploy", message: "", user: "ana")
        #expect(await host.reconcile().isEmpty)
        let first = try #require(host.table["penguins"])
        #expect(first.deployments.map(\.served.version) == ["1", "2"])
        #expect(first.deployments[0].served.model.kind == "gbdt" && first.deployments[1].served.model.kind == "logistic")
        // Nothing changed: the same runtime stays.
        await host.reconcile()
        #expect(host.table["penguins"] === first)

        try await store.setAlias(name: "penguins", alias: "champion", version: "2", user: "bo")
        #expect(await host.reconcile().isEmpty)
        let moved = try #require(host.table["penguins"])
        #expect(moved.deployments.map(\.served.version) == ["2", "2"])
        let event = try #require(try await store.events(endpoint: "penguins").last)
        #expect(event.kind == "alias" && event.message == "blue follows penguins@champion: version 1 → 2")
        #expect(try await store.endpoint(name: "penguins").deployments[0].version == "2")

        // A version whose file is gone: the endpoint keeps serving what it had, and the problem is reported.
        let v1 = try await store.modelVersion(name: "penguins", version: "1")
        try FileManager.default.removeItem(at: try artifacts.resolve(try artifacts.key(ofLocation: v1.storageLocation) + "/model.pulk"))
        let fresh = EndpointHost(endpoints: store, registry: store, table: host.table, loader: EndpointHost.artifactLoader(artifacts))
        _ = try await store.setDeployments(endpoint: "penguins", [Deployment(name: "blue", model: "penguins", reference: "1", version: "1", traffic: 100)],
                                           kind: "deploy", message: "", user: "ana")
        let problems = await fresh.reconcile()
        #expect(problems.count == 1 && problems[0].contains("kept as it was") && problems[0].contains("no model.pulk"), "\(problems)")
        #expect(host.table["penguins"] === moved)

        #expect(host.table.problem("penguins")?.contains("no model.pulk") == true)

        // A crafted model file (corrupted counts) behind a new endpoint: reported as failed with its
        // reason, in /ready and /endpoints; the process goes on.
        let v2 = try await store.modelVersion(name: "penguins", version: "2")
        let key2 = try artifacts.key(ofLocation: v2.storageLocation) + "/model.pulk"
        var crafted = ModelFile.encode(logistic)
        let h = Int(crafted[12]) | Int(crafted[13]) << 8
        let header = String(decoding: crafted[16..<(16 + h)], as: UTF8.self).replacingOccurrences(of: "\"count\":", with: "\"count\":99999999999")
        crafted = Array(crafted[0..<16]) + Array(header.utf8)[0..<h] + crafted[(16 + h)...]
        _ = try await artifacts.write(key2, chunks: AsyncThrowingStream<[UInt8], any Error> { c in c.yield(crafted); c.finish() })
        _ = try await store.createEndpoint(name: "broken", description: "", settings: .init(), user: "ana")
        _ = try await store.setDeployments(endpoint: "broken", [Deployment(name: "blue", model: "penguins", reference: "2", version: "2", traffic: 100)],
                                           kind: "deploy", message: "", user: "ana")
        let brokenProblems = await fresh.reconcile()
        #expect(brokenProblems.contains { $0.contains("endpoint broken: not serving") }, "\(brokenProblems)")
        #expect(host.table["broken"] == nil && host.table.problem("broken") != nil)
        let routes = ServingRoutes(table: host.table)
        let ready = routes.ready("broken")
        #expect(ready.status.code == 503)
        let listed = String(decoding: routes.listJSON(), as: UTF8.self)
        #expect(listed.contains("\"name\":\"broken\",\"ready\":false") && listed.contains("\"problem\":"), "\(listed)")
        try await store.deleteEndpoint(name: "broken", user: "ana")
        await fresh.reconcile()
        #expect(host.table.problem("broken") == nil)

        // Deleted endpoints stop answering.
        try await store.deleteEndpoint(name: "penguins", user: "ana")
        await host.reconcile()
        #expect(host.table["penguins"] == nil)
    }

    @Test("The serving log reaches the store in batches, bounded by the endpoint's retention")
    func servingLogToStore() async throws {
        let (store, _) = try await registry()
        var settings = EndpointSettings()
        settings.logRetention = 5
        _ = try await store.createEndpoint(name: "penguins", description: "", settings: settings, user: "ana")
        let table = EndpointTable()
        table.install(EndpointRuntime(name: "penguins", settings: settings, deployments: []))
        let log = StoreServingLog(store: store, table: table, limit: 8)
        for k in 0..<10 {
            log.record(ServingLogEntry(endpoint: "penguins", deployment: "blue", model: "penguins", version: "1", time: Int64(k), requestId: "r\(k)",
                                       status: 200, latencyMicros: 50, shadow: false, rows: 1, input: "{}", output: "{}"))
        }
        #expect(log.droppedCount == 2)
        try await log.flush()
        #expect(try await store.servingLog(endpoint: "penguins", limit: 100).map(\.requestId) == ["r7", "r6", "r5", "r4", "r3"])
    }
}
