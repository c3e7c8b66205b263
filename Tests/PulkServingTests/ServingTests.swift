import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import HTTPTypes
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PulkFrame
import PulkLearn
import PulkModels
import PulkScoring
@testable import PulkServing
import PulkStore
import PulkEndpoints
import Testing
import Crypto

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let penguinsFrame = try! CSVReader().read(path: repoRoot.appendingPathComponent("examples/penguins.csv").path).0

/// Two small penguin models that answer differently (a GBDT and a logistic regression).
let gbdt: any Model = try! Catalog.estimator(named: "gbdt").init(["num_iterations": "10"]).fit(penguinsFrame, target: "species", seed: 1)
let logistic: any Model = try! Catalog.estimator(named: "logistic").init([:]).fit(penguinsFrame, target: "species", seed: 1)

let row = #"{"island": "Biscoe", "bill_length_mm": 45.2, "bill_depth_mm": 14.8, "flipper_length_mm": 212, "body_mass_g": 5200, "sex": "female", "year": 2008}"#

/// A serving log kept in memory; `next` waits for an entry without sleeping.
final class MemoryLog: ServingLogSink {
    let entries = NIOLockedValueBox<[ServingLogEntry]>([])
    let stream: AsyncStream<ServingLogEntry>
    let continuation: AsyncStream<ServingLogEntry>.Continuation
    init() { (stream, continuation) = AsyncStream.makeStream() }
    func record(_ entry: ServingLogEntry) {
        entries.withLockedValue { $0.append(entry) }
        continuation.yield(entry)
    }
}

func deployment(_ name: String, _ model: any Model, version: String, traffic: Int, mirror: Int = 0, batch: Int = 0, wait: Int = 0,
                settings: EndpointSettings = .init()) -> DeploymentRuntime {
    DeploymentRuntime(Deployment(name: name, model: "penguins", reference: version, version: version, traffic: traffic, mirror: mirror,
                                 maxBatch: batch, maxWaitMicros: wait),
                      served: ServedModel(model: model, name: "penguins", version: version), endpoint: "penguins", settings: settings)
}

/// The two ways a scoring request is answered: by Hummingbird's router (tested in process), or in
/// the channel pipeline by `ScoringChannelHandler` (tested over a live socket), as `pulk serve` does.
enum Transport: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case router, pipeline

    var setup: TestingSetup { self == .router ? .router : .live }
    var testDescription: String { rawValue }
}

/// `configure` sets what a test gives the routes beyond the table (accounts, a load monitor).
func app(_ table: EndpointTable, _ transport: Transport = .router, log: (any ServingLogSink)? = nil, bodyLimit: Int = 1 << 20,
         configure: (inout ServingRoutes) -> Void = { _ in }) -> some ApplicationProtocol {
    let router = Router()
    var routes = ServingRoutes(table: table, log: log, bodyLimit: bodyLimit)
    configure(&routes)
    routes.register(router, defaultEndpoint: "penguins")
    return Application(router: router, server: transport == .pipeline ? routes.server(defaultEndpoint: "penguins", logger: .test) : .http1())
}

enum SHA256Hex {
    static func of(_ text: String) -> String { SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined() }
}

func object(_ buffer: ByteBuffer) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any] ?? [:]
}

@Suite("Serving: endpoints over HTTP")
struct ServingTests {
    @Test("Scoring answers predictions, probabilities and who answered; MLflow's /invocations answers labels", arguments: Transport.allCases)
    func scores(_ transport: Transport) async throws {
        let table = EndpointTable()
        table.install(EndpointRuntime(name: "penguins", settings: .init(), deployments: [deployment("blue", gbdt, version: "1", traffic: 100)]))
        guard case .classification(let classes, let expected, let probabilities) = try gbdt.predict(try InputSchema(gbdt.schema).frame(json: Array("[\(row)]".utf8))) else { return }
        try await app(table, transport).test(transport.setup) { client in
            try await client.execute(uri: "/endpoints/penguins/score", method: .post, headers: [.contentType: "application/json", HTTPField.Name("X-Request-ID")!: "abc-1"],
                                     body: ByteBuffer(string: "{\"records\": [\(row)]}")) { r in
                #expect(r.status == .ok)
                let o = object(r.body)
                #expect(o["predictions"] as? [String] == [classes[expected[0]]])
                #expect(o["classes"] as? [String] == classes)
                // Foundation's JSON reader on Linux may miss the last bit; the text is shortest round-trip.
                let got = (o["probabilities"] as? [[Double]])?.first ?? []
                #expect(got.count == 3 && zip(got, probabilities[0]).allSatisfy { abs($0 - $1) < 1e-15 })
                #expect(String(buffer: r.body).contains(probabilities[0].map(\.description).joined(separator: ",")))
                #expect(o["deployment"] as? String == "blue" && o["version"] as? String == "1" && o["model"] as? String == "penguins")
                #expect(o["request_id"] as? String == "abc-1" && r.headers[HTTPField.Name("X-Request-ID")!] == "abc-1")
                #expect(r.headers[HTTPField.Name("X-Pulk-Deployment")!] == "blue")
            }
            for path in ["/invocations", "/endpoints/penguins/invocations"] {
                try await client.execute(uri: path, method: .post, headers: [.contentType: "application/json"],
                                         body: ByteBuffer(string: "{\"dataframe_records\": [\(row), \(row)]}")) { r in
                    #expect(r.status == .ok)
                    #expect(object(r.body) as NSDictionary == ["predictions": [classes[expected[0]], classes[expected[0]]]] as NSDictionary)
                }
            }
            let csv = "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\nBiscoe,45.2,14.8,212,5200,female,2008\n"
            try await client.execute(uri: "/score", method: .post, headers: [.contentType: "text/csv"], body: ByteBuffer(string: csv)) { r in
                #expect(r.status == .ok)
                #expect(object(r.body)["predictions"] as? [String] == [classes[expected[0]]])
            }
            try await client.execute(uri: "/ping", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/endpoints", method: .get) { r in
                let list = object(r.body)["endpoints"] as? [[String: Any]]
                #expect(list?.first?["name"] as? String == "penguins" && list?.first?["ready"] as? Bool == true)
            }
        }
    }

    /// A model of numbers only (no island, no sex) scores rows of plain numbers without a frame
    /// (`MatrixScoring`); its answers are byte for byte those of the same rows sent as records (the frame path).
    @Test("Rows of plain numbers skip the frame and answer as records do", arguments: Transport.allCases)
    func matrixPath(_ transport: Transport) async throws {
        let numeric = penguinsFrame.columns.filter { $0.name != "island" && $0.name != "sex" }
        let model = try Catalog.estimator(named: "gbdt").init(["num_iterations": "10"]).fit(try Frame(columns: numeric), target: "species", seed: 1)
        let plain = deployment("blue", model, version: "1", traffic: 100)
        #expect(plain.matrix != nil)
        // A micro-batcher gathers frames, so a batching deployment does not take the matrix.
        #expect(deployment("blue", model, version: "1", traffic: 100, batch: 8, wait: 100).matrix == nil)
        #expect(deployment("blue", gbdt, version: "1", traffic: 100).matrix == nil)
        let table = EndpointTable()
        table.install(EndpointRuntime(name: "penguins", settings: .init(), deployments: [plain]))
        let names = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "year"]
        let rows = [[45.2, 14.8, 212, 5200, 2008], [39.1, 18.7, 181, 3750, 2007], [50.0, 15.2, 218, 5700, 2009]]
        let data = "[" + rows.map { "[" + $0.map { "\($0)" }.joined(separator: ", ") + "]" }.joined(separator: ", ") + "]"
        let records = "[" + rows.map { r in "{" + zip(names, r).map { "\"\($0)\": \($1)" }.joined(separator: ", ") + "}" }.joined(separator: ", ") + "]"
        // With a missing value (null: the frame path) against the record without the key.
        let withNull = data.replacingOccurrences(of: "[45.2, 14.8,", with: "[45.2, null,")
        let recordsMissing = records.replacingOccurrences(of: "\"bill_depth_mm\": 14.8, ", with: "")
        try await app(table, transport).test(transport.setup) { client in
            var answers: [String: String] = [:]
            for (label, path, body) in [("split", "/invocations", "{\"dataframe_split\": {\"columns\": \(names), \"data\": \(data)}}"),
                                        ("records", "/invocations", "{\"dataframe_records\": \(records)}"),
                                        ("split score", "/score", "{\"columns\": \(names), \"data\": \(data)}"),
                                        ("records score", "/score", "{\"records\": \(records)}"),
                                        ("null score", "/score", "{\"columns\": \(names), \"data\": \(withNull)}"),
                                        ("missing score", "/score", "{\"records\": \(recordsMissing)}")] {
                try await client.execute(uri: path, method: .post, headers: [.contentType: "application/json", HTTPField.Name("X-Request-ID")!: "same"],
                                         body: ByteBuffer(string: body)) { r in
                    #expect(r.status == .ok, "\(label): \(String(buffer: r.body))")
                    answers[label] = String(buffer: r.body)
                }
            }
            #expect(answers["split"] == answers["records"] && answers["split"]?.contains("predictions") == true)
            #expect(answers["split score"] == answers["records score"] && answers["split score"]?.contains("probabilities") == true)
            #expect(answers["null score"] == answers["missing score"] && answers["null score"] != answers["split score"])
        }
    }

    @Test("Refusals are 4xx with a JSON body naming each problem", arguments: Transport.allCases)
    func refusals(_ transport: Transport) async throws {
        let table = EndpointTable()
        var settings = EndpointSettings()
        settings.maxRows = 3
        table.install(EndpointRuntime(name: "penguins", settings: settings, deployments: [deployment("blue", gbdt, version: "1", traffic: 100, settings: settings)]))
        table.install(EndpointRuntime(name: "empty", settings: .init(), deployments: []))
        try await app(table, transport, bodyLimit: 4096).test(transport.setup) { client in
            func expect(_ uri: String, _ body: String, _ status: HTTPResponse.Status, _ code: String, _ says: String) async throws {
                try await client.execute(uri: uri, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)) { r in
                    #expect(r.status == status, "\(body.prefix(60))")
                    let o = object(r.body)
                    #expect(o["error_code"] as? String == code)
                    #expect((o["message"] as? String ?? "").contains(says), "\(o)")
                }
            }
            try await expect("/endpoints/penguins/score", #"{"records": [{"island": "Biscoe", "bill_length_mm": "long"}]}"#, .badRequest, "INVALID_INPUT", "Missing column 'year'")
            try await expect("/endpoints/penguins/score", "{\"records\": [\(row), \(row), \(row), \(row)]}", .badRequest, "TOO_MANY_ROWS", "at most 3")
            try await expect("/endpoints/penguins/score", "{\"records\": [", .badRequest, "BAD_REQUEST", "not valid JSON")
            try await expect("/endpoints/penguins/score", "{\"records\": [" + Array(repeating: row, count: 40).joined(separator: ",") + "]}", .contentTooLarge, "BAD_REQUEST", "limit of 4096 bytes")
            try await expect("/endpoints/nope/score", "{}", .notFound, "ENDPOINT_NOT_FOUND", "No endpoint named 'nope'")
            try await expect("/endpoints/empty/score", "{}", .serviceUnavailable, "NOT_READY", "no deployment taking traffic")
            try await client.execute(uri: "/endpoints/empty/ready", method: .get) { r in #expect(r.status == .serviceUnavailable) }
            try await client.execute(uri: "/endpoints/penguins/score", method: .post, body: ByteBuffer(string: "{\"records\": [{\"island\": \"x\"}]}")) { r in
                let problems = object(r.body)["problems"] as? [[String: Any]] ?? []
                #expect(problems.count == 6 && problems.allSatisfy { $0["column"] is String })
            }
        }
    }

    @Test("An endpoint with scoring tokens answers only requests that carry one", arguments: Transport.allCases)
    func scoringTokens(_ transport: Transport) async throws {
        let table = EndpointTable()
        let secret = "pulk_ep_test-secret"
        var settings = EndpointSettings()
        settings.tokens = [EndpointToken(id: "ept-1", name: "app", secretHash: SHA256Hex.of(secret), creationTime: 1)]
        table.install(EndpointRuntime(name: "penguins", settings: settings, deployments: [deployment("blue", gbdt, version: "1", traffic: 100)]))
        try await app(table, transport).test(transport.setup) { client in
            let cases: [(String?, HTTPResponse.Status)] = [
                (nil, .unauthorized), ("Bearer wrong", .unauthorized), ("Token \(secret)", .unauthorized),
                ("Bearer \(secret)", .ok), ("Basic " + Data("anyone:\(secret)".utf8).base64EncodedString(), .ok),
            ]
            for (authorization, status) in cases {
                var headers: HTTPFields = [:]
                if let authorization { headers[.authorization] = authorization }
                for uri in ["/score", "/invocations"] {
                    try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: "[\(row)]")) { r in
                        #expect(r.status == status, "\(authorization ?? "none") \(uri): \(String(buffer: r.body))")
                        if status == .unauthorized {
                            #expect(r.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true && String(buffer: r.body).contains("scoring token"))
                        }
                    }
                }
            }
        }
    }

    /// Accounts as `pulk server` has them: "Bearer user-ok" may score, "Bearer user-reader" may not.
    struct StubAccounts: ScoringAccounts {
        func required() -> Bool { true }
        func refusal(authorization: String?, endpoint: String) async -> ScoringRefusal? {
            switch authorization {
            case "Bearer user-ok": return nil
            case "Bearer user-reader": return ScoringRefusal(status: 403, message: "'reader' may not score endpoint '\(endpoint)': it needs USE")
            default: return ScoringRefusal(status: 401, message: "Endpoint '\(endpoint)' needs credentials")
            }
        }
    }

    @Test("With accounts: a user with USE or the endpoint's token scores; others get 401 or 403", arguments: Transport.allCases)
    func accountsScore(_ transport: Transport) async throws {
        let table = EndpointTable()
        let secret = "pulk_ep_test-secret"
        var settings = EndpointSettings()
        settings.tokens = [EndpointToken(id: "ept-1", name: "app", secretHash: SHA256Hex.of(secret), creationTime: 1)]
        table.install(EndpointRuntime(name: "penguins", settings: settings, deployments: [deployment("blue", gbdt, version: "1", traffic: 100)]))
        table.install(EndpointRuntime(name: "open", settings: .init(), deployments: [deployment("blue", gbdt, version: "1", traffic: 100)]))
        try await app(table, transport) { $0.accounts = StubAccounts() }.test(transport.setup) { client in
            let cases: [(String?, HTTPResponse.Status)] = [
                (nil, .unauthorized), ("Bearer wrong", .unauthorized), ("Bearer user-reader", .forbidden),
                ("Bearer user-ok", .ok), ("Bearer \(secret)", .ok),
            ]
            for (authorization, status) in cases {
                var headers: HTTPFields = [:]
                if let authorization { headers[.authorization] = authorization }
                for uri in ["/score", "/endpoints/penguins/invocations", "/endpoints/open/score"] {
                    // The endpoint without tokens has no token to accept: its secret is just wrong there.
                    let expected = uri.contains("open") && authorization == "Bearer \(secret)" ? .unauthorized : status
                    try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: "[\(row)]")) { r in
                        #expect(r.status == expected, "\(authorization ?? "none") \(uri): \(String(buffer: r.body))")
                        if expected == .unauthorized { #expect(r.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true) }
                    }
                }
            }
        }
    }

    @Test("The load monitor: a probe that waits counts as lag; one that runs on time clears it")
    func loadMonitor() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let now = NIOLockedValueBox<UInt64>(0)
        let monitor = LoadMonitor(loops: group, threshold: .milliseconds(500), clock: { now.withLockedValue { $0 } })
        // The loop is busy (held until released): a probe handed to it waits.
        let held = DispatchSemaphore(value: 0)
        let loop = group.next()
        loop.execute { held.wait() }
        monitor.probe()
        now.withLockedValue { $0 = 400_000_000 }
        #expect(!monitor.overloaded() && LoadMonitor.millis(monitor.lag()) == 400)
        now.withLockedValue { $0 = 900_000_000 }
        #expect(monitor.overloaded())
        held.signal()
        try loop.submit {}.wait()
        // The probe ran at 900 ms: its lag stays the loop's figure until the next probe runs on time.
        #expect(monitor.overloaded())
        monitor.probe()
        try loop.submit {}.wait()
        #expect(!monitor.overloaded() && monitor.lag() == .zero)
    }

    @Test("While the event loops lag past the limit, scoring answers 429 with Retry-After", arguments: Transport.allCases)
    func shedsWhenLoopsLag(_ transport: Transport) async throws {
        let table = EndpointTable()
        table.install(EndpointRuntime(name: "penguins", settings: .init(), deployments: [deployment("blue", gbdt, version: "1", traffic: 100)]))
        let idle = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        // A monitor over a loop that never runs its probe (held), on a clock past the limit.
        let held = DispatchSemaphore(value: 0)
        idle.next().execute { held.wait() }
        let now = NIOLockedValueBox<UInt64>(0)
        let monitor = LoadMonitor(loops: idle, threshold: .milliseconds(500), clock: { now.withLockedValue { $0 } })
        monitor.probe()
        try await app(table, transport) { $0.load = monitor }.test(transport.setup) { client in
            try await client.execute(uri: "/score", method: .post, body: ByteBuffer(string: "[\(row)]")) { r in #expect(r.status == .ok) }
            now.withLockedValue { $0 = 2_000_000_000 }
            try await client.execute(uri: "/score", method: .post, body: ByteBuffer(string: "[\(row)]")) { r in
                #expect(r.status == .tooManyRequests && r.headers[.retryAfter] == "1" && String(buffer: r.body).contains("overloaded"), "\(String(buffer: r.body))")
            }
        }
        held.signal()
        try await idle.shutdownGracefully()
    }

    @Test("Over the concurrency limit: 429 with Retry-After", arguments: Transport.allCases)
    func overload(_ transport: Transport) async throws {
        let table = EndpointTable()
        var settings = EndpointSettings()
        settings.maxConcurrency = 1
        let held = NIOLockedValueBox(1)  // one request already in flight
        table.install(EndpointRuntime(name: "penguins", settings: settings, deployments: [deployment("blue", gbdt, version: "1", traffic: 100)], inFlight: held))
        try await app(table, transport).test(transport.setup) { client in
            try await client.execute(uri: "/score", method: .post, body: ByteBuffer(string: "[\(row)]")) { r in
                #expect(r.status == .tooManyRequests && r.headers[.retryAfter] == "1")
            }
            held.withLockedValue { $0 = 0 }
            try await client.execute(uri: "/score", method: .post, body: ByteBuffer(string: "[\(row)]")) { r in #expect(r.status == .ok) }
        }
        #expect(held.withLockedValue { $0 } == 0)
    }

    @Test("Traffic splits by percentage; mirrors get a copy whose answer is only logged", arguments: Transport.allCases)
    func trafficAndMirrors(_ transport: Transport) async throws {
        let blue = deployment("blue", gbdt, version: "1", traffic: 90)
        let green = deployment("green", logistic, version: "2", traffic: 10)
        let shadow = deployment("shadow", logistic, version: "3", traffic: 0, mirror: 100)
        let runtime = EndpointRuntime(name: "penguins", settings: .init(), deployments: [blue, green, shadow])
        #expect((0..<100).map { runtime.route($0)!.record.name } == Array(repeating: "blue", count: 90) + Array(repeating: "green", count: 10))
        #expect(runtime.mirrored(99).map(\.record.name) == ["shadow"])

        let table = EndpointTable()
        table.install(EndpointRuntime(name: "penguins", settings: .init(), deployments: [deployment("blue", gbdt, version: "1", traffic: 100), shadow]))
        let log = MemoryLog()
        try await app(table, transport, log: log).test(transport.setup) { client in
            try await client.execute(uri: "/score", method: .post, headers: [HTTPField.Name("X-Request-ID")!: "mirror-me"], body: ByteBuffer(string: "[\(row)]")) { r in
                #expect(object(r.body)["deployment"] as? String == "blue")
            }
        }
        var it = log.stream.makeAsyncIterator()
        let entry = try #require(await it.next())
        #expect(entry.shadow && entry.deployment == "shadow" && entry.version == "3" && entry.requestId == "mirror-me" && entry.status == 200)
        #expect(entry.input == "[\(row)]" && entry.output.contains("\"deployment\":\"shadow\""))
    }

    @Test("Mirrored copies in flight are bounded by the endpoint's concurrency limit; past it a copy is skipped", arguments: Transport.allCases)
    func mirrorBound(_ transport: Transport) async throws {
        var settings = EndpointSettings()
        settings.maxConcurrency = 2
        let shadow = deployment("shadow", logistic, version: "3", traffic: 0, mirror: 100, settings: settings)
        let runtime = EndpointRuntime(name: "penguins", settings: settings, deployments: [deployment("blue", gbdt, version: "1", traffic: 100, settings: settings), shadow])
        #expect(runtime.enterMirror() && runtime.enterMirror())
        #expect(!runtime.enterMirror(), "a third copy while two are scored")
        runtime.leaveMirror()
        #expect(runtime.enterMirror())
        #expect(runtime.mirrorsInFlight.withLockedValue { $0 } == 2)

        // Over HTTP: with the mirrors' slots taken, the live request is answered as ever.
        let table = EndpointTable()
        table.install(runtime)
        try await app(table, transport).test(transport.setup) { client in
            try await client.execute(uri: "/score", method: .post, body: ByteBuffer(string: "[\(row)]")) { r in
                #expect(r.status == .ok && object(r.body)["deployment"] as? String == "blue")
            }
        }
    }

    @Test("A sampled share of requests is logged with input and output", arguments: Transport.allCases)
    func payloadSample(_ transport: Transport) async throws {
        var settings = EndpointSettings()
        settings.logSample = 1
        let table = EndpointTable()
        table.install(EndpointRuntime(name: "penguins", settings: settings, deployments: [deployment("blue", gbdt, version: "1", traffic: 100)]))
        let log = MemoryLog()
        try await app(table, transport, log: log).test(transport.setup) { client in
            for _ in 0..<3 { try await client.execute(uri: "/score", method: .post, body: ByteBuffer(string: "[\(row)]")) { _ in } }
        }
        let entries = log.entries.withLockedValue { $0 }
        #expect(entries.count == 3 && entries.allSatisfy { !$0.shadow && $0.rows == 1 && $0.output.contains("predictions") })
    }

    @Test("Micro-batching scores concurrent requests together and answers each its own rows")
    func microBatching() async throws {
        let batched = deployment("blue", gbdt, version: "1", traffic: 100, batch: 64, wait: 200_000)
        let schema = InputSchema(gbdt.schema)
        let frames = (0..<8).map { k in penguinsFrame.slice((k * 5)..<(k * 5 + 1 + k)) }
        let answers = try await withThrowingTaskGroup(of: (Int, Predictions).self) { group in
            for (k, f) in frames.enumerated() {
                let frame = try Frame(columns: try gbdt.schema.columns(of: f))
                group.addTask { (k, try await batched.predict(frame)) }
            }
            var out: [Int: Predictions] = [:]
            for try await (k, p) in group { out[k] = p }
            return out
        }
        _ = schema
        for (k, f) in frames.enumerated() { #expect(answers[k] == (try gbdt.predict(f)), "request \(k)") }
    }

    /// Swapping the endpoint's runtime back and forth while requests stream never fails one.
    @Test("A traffic switch under load loses no request", arguments: Transport.allCases)
    func switchUnderLoad(_ transport: Transport) async throws {
        let table = EndpointTable()
        let blue = deployment("blue", gbdt, version: "1", traffic: 100)
        let green = deployment("green", logistic, version: "2", traffic: 100)
        table.install(EndpointRuntime(name: "penguins", settings: .init(), deployments: [blue]))
        let failures = NIOLockedValueBox(0)
        let seen = NIOLockedValueBox(Set<String>())
        try await app(table, transport).test(transport.setup) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        for _ in 0..<40 {
                            try await client.execute(uri: "/score", method: .post, body: ByteBuffer(string: "[\(row)]")) { r in
                                if r.status != .ok { failures.withLockedValue { $0 += 1 } }
                                if let d = object(r.body)["deployment"] as? String { seen.withLockedValue { _ = $0.insert(d) } }
                            }
                        }
                    }
                }
                group.addTask {
                    for k in 0..<200 {
                        let split = k % 2 == 0 ? [green] : [blue]
                        table.install(EndpointRuntime(name: "penguins", settings: .init(), deployments: split, inFlight: table.counter("penguins")))
                        await _Concurrency.Task.yield()
                    }
                }
                try await group.waitForAll()
            }
        }
        #expect(failures.withLockedValue { $0 } == 0)
        #expect(seen.withLockedValue { $0 } == ["blue", "green"])
        #expect(table["penguins"]!.inFlight.withLockedValue { $0 } == 0)
    }
}
