import Foundation
import Testing
@testable import PulkSQL
@testable import PulkStore
import PulkEndpoints

/// Endpoints, deployments, their history and the serving log: the same contract on every backend.
@Suite("Endpoint store contract")
struct EndpointStoreContractTests {
    static let backends = StoreBackend.available

    static func blue(_ traffic: Int = 100, version: String = "1") -> Deployment {
        Deployment(name: "blue", model: "churn", reference: "@champion", version: version, traffic: traffic)
    }

    @Test(arguments: backends)
    func lifecycle(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let g0 = try await store.endpointGeneration()
        let created = try await store.createEndpoint(name: "churn-api", description: "scores churn", settings: .init(), user: "ana")
        #expect(created.deployments.isEmpty && created.settings == EndpointSettings())
        #expect(try await store.endpointGeneration() > g0)
        await #expect(throws: StoreError.self) { _ = try await store.createEndpoint(name: "churn-api", description: "", settings: .init(), user: "ana") }

        let green = Deployment(name: "green", model: "churn", reference: "2", version: "2", traffic: 10)
        let split = try await store.setDeployments(endpoint: "churn-api", [Self.blue(90), green], kind: "deploy", message: "green at 10%", user: "bo")
        #expect(split.deployments.map(\.traffic) == [90, 10])
        #expect(split.generation > created.generation)
        let read = try await store.endpoint(name: "churn-api")
        #expect(read == split)
        #expect(try await store.endpoints().map(\.name) == ["churn-api"])

        var settings = EndpointSettings()
        settings.logSample = 0.5
        settings.maxConcurrency = 4
        #expect(try await store.updateSettings(endpoint: "churn-api", settings, user: "ana").settings == settings)

        let events = try await store.events(endpoint: "churn-api")
        #expect(events.map(\.kind) == ["create", "deploy", "settings"])
        #expect(events[1].deployments == split.deployments && events[1].user == "bo" && events[1].message == "green at 10%")
        #expect(events.map(\.sequence) == events.map(\.sequence).sorted())

        try await store.deleteEndpoint(name: "churn-api", user: "ana")
        await #expect(throws: StoreError.self) { _ = try await store.endpoint(name: "churn-api") }
        #expect(try await store.events(endpoint: "churn-api").last?.kind == "delete")
    }

    /// Every refusal names what was wrong.
    @Test(arguments: backends)
    func refusals(backend: StoreBackend) async throws {
        let store = try await backend.make()
        _ = try await store.createEndpoint(name: "e", description: "", settings: .init(), user: "u")
        func refused(_ deployments: [Deployment], _ says: String) async {
            do {
                _ = try await store.setDeployments(endpoint: "e", deployments, kind: "deploy", message: "", user: "u")
                Issue.record("accepted: \(deployments)")
            } catch { #expect(error.message.contains(says), "\(error.message)") }
        }
        await refused([Self.blue(90)], "add up to 100%, but it adds up to 90% (blue=90)")
        await refused([Self.blue(50), Self.blue(50)], "appears twice")
        await refused([Self.blue(101)], "percentages")
        var both = Self.blue(100)
        both.mirror = 10
        await refused([both], "both take live traffic")
        var bad = Self.blue()
        bad.name = "Blue_1"
        await refused([bad], "Invalid deployment name")
        for name in ["", "UPPER", "1abc", "a/b", String(repeating: "a", count: 64)] {
            await #expect(throws: StoreError.self) { _ = try await store.createEndpoint(name: name, description: "", settings: .init(), user: "u") }
        }
        var settings = EndpointSettings()
        settings.unseenCategories = "maybe"
        await #expect(throws: StoreError.self) { _ = try await store.updateSettings(endpoint: "e", settings, user: "u") }
        await #expect(throws: StoreError.self) { _ = try await store.setDeployments(endpoint: "nope", [Self.blue()], kind: "deploy", message: "", user: "u") }
        // Nothing refused changed the endpoint.
        #expect(try await store.endpoint(name: "e").deployments.isEmpty)
        #expect(try await store.events(endpoint: "e").count == 1)
    }

    @Test(arguments: backends)
    func servingLogKeepsTheNewestRows(backend: StoreBackend) async throws {
        let store = try await backend.make()
        _ = try await store.createEndpoint(name: "e", description: "", settings: .init(), user: "u")
        _ = try await store.createEndpoint(name: "f", description: "", settings: .init(), user: "u")
        func entry(_ endpoint: String, _ k: Int) -> ServingLogEntry {
            ServingLogEntry(endpoint: endpoint, deployment: "blue", model: "churn", version: "1", time: Int64(1000 + k), requestId: "r\(k)", status: 200,
                            latencyMicros: 120, shadow: k % 2 == 0, rows: 1, input: "{\"records\": [{\"x\": \(k)}]}", output: "{\"predictions\":[\(k)]}")
        }
        try await store.appendServingLog((0..<10).map { entry("e", $0) }, retention: ["e": 4])
        try await store.appendServingLog((0..<3).map { entry("f", $0) }, retention: ["f": 100])
        let kept = try await store.servingLog(endpoint: "e", limit: 100)
        #expect(kept.map(\.requestId) == ["r9", "r8", "r7", "r6"])
        #expect(kept[0] == entry("e", 9))
        #expect(try await store.servingLog(endpoint: "f", limit: 2).map(\.requestId) == ["r2", "r1"])
        try await store.appendServingLog([entry("e", 20)], retention: ["e": 0])
        #expect(try await store.servingLog(endpoint: "e", limit: 100).isEmpty)
    }

    @Test("A time window of the serving log is read oldest first, page by page, none lost or repeated at equal times", arguments: backends)
    func servingLogPages(backend: StoreBackend) async throws {
        let store = try await backend.make()
        _ = try await store.createEndpoint(name: "e", description: "", settings: .init(), user: "u")
        _ = try await store.createEndpoint(name: "f", description: "", settings: .init(), user: "u")
        // times 100…109 with three requests each; request "q1" also mirrored to a second deployment
        var entries: [ServingLogEntry] = []
        for t in 100..<110 {
            for q in 0..<3 {
                entries.append(ServingLogEntry(endpoint: "e", deployment: "blue", model: "m", version: "1", time: Int64(t), requestId: "t\(t)-q\(q)", status: 200,
                                               latencyMicros: 10, shadow: false, rows: 1, input: "{}", output: "{}"))
            }
            entries.append(ServingLogEntry(endpoint: "e", deployment: "green", model: "m", version: "2", time: Int64(t), requestId: "t\(t)-q1", status: 200,
                                           latencyMicros: 10, shadow: true, rows: 1, input: "{}", output: "{}"))
        }
        entries.append(ServingLogEntry(endpoint: "f", deployment: "blue", model: "m", version: "1", time: 105, requestId: "other", status: 200,
                                       latencyMicros: 10, shadow: false, rows: 1, input: "{}", output: "{}"))
        try await store.appendServingLog(entries.shuffled(), retention: ["e": 1000, "f": 1000])
        for pageSize in [1, 3, 5, 7, 40, 100] {
            var read: [ServingLogEntry] = []
            var after: ServingLogPosition?
            while true {
                let page = try await store.servingLog(endpoint: "e", from: 102, to: 107, after: after, limit: pageSize)
                #expect(page.count <= pageSize)
                read += page
                guard page.count == pageSize, let last = page.last else { break }
                after = ServingLogPosition(last)
            }
            #expect(read.count == 20, "page size \(pageSize): 5 times × 4 entries, got \(read.count)")
            #expect(read.map(\.time) == read.map(\.time).sorted() && read.allSatisfy { (102..<107).contains($0.time) && $0.endpoint == "e" })
            #expect(Set(read.map { "\($0.requestId)/\($0.deployment)" }).count == 20, "none twice")
        }
        #expect(try await store.servingLog(endpoint: "e", from: 200, to: 300, after: nil, limit: 10).isEmpty)
        for bad in [0, -1, 100_001] {
            await #expect(throws: StoreError.self) { _ = try await store.servingLog(endpoint: "e", from: 0, to: 1000, after: nil, limit: bad) }
        }
        let position = ServingLogPosition(time: 7, requestId: "a:b", deployment: "blue")
        #expect(ServingLogPosition(token: position.token) == position, "request ids may hold ':'")
        for bad in ["", "7", "x:blue:a", "7:blue:"] { #expect(ServingLogPosition(token: bad) == nil, "\(bad)") }
    }
}
