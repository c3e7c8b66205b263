import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import NIOCore
import NIOConcurrencyHelpers
import NIOEmbedded
import NIOHTTPTypes
import NIOHTTP1
import Logging
import PulkStore
import PulkEndpoints
import PulkLearn
@testable import PulkServing
import Testing
import PulkTestSupport

@Suite("Serving: the scoring fast path in the channel pipeline")
struct ScoringPipelineTests {
    func table(batch: Int = 0) -> EndpointTable {
        let table = EndpointTable()
        table.install(EndpointRuntime(name: "penguins", settings: .init(), deployments: [deployment("blue", gbdt, version: "1", traffic: 100)]))
        table.install(EndpointRuntime(name: "batched", settings: .init(),
                                      deployments: [deployment("blue", gbdt, version: "1", traffic: 100, batch: 8, wait: 1000)]))
        return table
    }

    @Test("Which requests the pipeline answers: POSTs to the scoring routes of endpoints that score one by one")
    func takes() throws {
        let routes = ServingRoutes(table: table())
        func call(_ method: HTTPMethod, _ path: String, _ defaultEndpoint: String? = "penguins") -> String? {
            routes.fastCall(HTTPRequestHead(version: .http1_1, method: method, uri: path), defaultEndpoint: defaultEndpoint)
                .map { "\($0.endpoint) \($0.mlflow ? "mlflow" : "pulk")" }
        }
        #expect(call(.POST, "/invocations") == "penguins mlflow")
        #expect(call(.POST, "/score?x=1") == "penguins pulk")
        #expect(call(.POST, "/endpoints/penguins/invocations") == "penguins mlflow")
        #expect(call(.POST, "/endpoints/penguins/score", nil) == "penguins pulk")
        #expect(call(.POST, "/score", nil) == nil, "no default endpoint")
        #expect(call(.GET, "/score") == nil)
        #expect(call(.PUT, "/score") == nil)
        #expect(call(.POST, "/endpoints/nope/score") == nil, "the router answers 404")
        #expect(call(.POST, "/endpoints/batched/score") == nil, "a micro-batch waits for its batch: the router")
        #expect(call(.POST, "/endpoints/penguins/score/x") == nil)
        #expect(call(.POST, "/endpoints//score") == nil)
        #expect(call(.POST, "/ready") == nil)
        // The fields a call keeps, whatever their case; repeated fields joined as HTTPTypes joins them.
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/score",
                                   headers: ["content-TYPE": "text/csv", "x-request-id": "a", "X-Request-ID": "b"])
        let taken = try #require(routes.fastCall(head, defaultEndpoint: "penguins"))
        #expect(taken.contentType == "text/csv" && taken.requestId == "a, b")
        #expect(routes.fastCall(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/score"), defaultEndpoint: "penguins")?.contentType == nil)
    }

    @Test("A request id is the caller's when short and printable, else 32 hex digits of the request's draws")
    func requestIds() {
        #expect(ServingRoutes.requestId(given: nil, random: (0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210)) == "0123456789abcdeffedcba9876543210")
        #expect(ServingRoutes.requestId(given: nil, random: (1, 0xa)) == "0000000000000001000000000000000a")
        #expect(ServingRoutes.requestId(given: "abc-1", random: (1, 2)) == "abc-1")
        for bad in ["", "has space", "quote\"", String(repeating: "x", count: 129)] {
            #expect(ServingRoutes.requestId(given: bad, random: (1, 2)) == "00000000000000010000000000000002", "\(bad.prefix(10))")
        }
    }

    @Test("Pipelined requests are answered in order, a body in many reads is whole, and Connection: close closes")
    func order() async throws {
        let router = Router()
        let routes = ServingRoutes(table: table())
        routes.register(router, defaultEndpoint: "penguins")
        let app = Application(router: router, server: routes.server(defaultEndpoint: "penguins", logger: .test))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            // A router request, a scoring request, a batched one (the router) and one more: the last is
            // left to the router too while the batched one waits, so the answers keep their order.
            let answer = try await exchange(port: port, "GET /ready HTTP/1.1\r\nHost: localhost\r\n\r\n"
                + post("/score", "[\(row)]", headers: "X-Request-ID: first\r\n")
                + post("/endpoints/batched/score", "[\(row)]", headers: "X-Request-ID: batched\r\n")
                + post("/score", "[\(row)]", headers: "X-Request-ID: last\r\nConnection: close\r\n"))
            let heads = answer.components(separatedBy: "HTTP/1.1 ").dropFirst()
            #expect(heads.count == 4, "\(answer.prefix(2000))")
            let ids = heads.map { h in h.split(separator: "\r\n").first { $0.lowercased().hasPrefix("x-request-id:") }.map { String($0.dropFirst(14)) } ?? "-" }
            #expect(ids == ["-", "first", "batched", "last"])
            #expect(heads.allSatisfy { $0.hasPrefix("200 OK") })
            // Scoring first, then the router, on one connection.
            let second = try await exchange(port: port, post("/invocations", "{\"dataframe_records\": [\(row)]}")
                + "GET /ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            let parts = second.components(separatedBy: "HTTP/1.1 ").dropFirst()
            #expect(parts.count == 2 && parts.first?.contains("\"predictions\"") == true && parts.last?.contains("\"ready\":true") == true)
            // A body of many reads (400 rows), answered here whole; Connection: close closes after the answer.
            let big = "[" + Array(repeating: row, count: 400).joined(separator: ",") + "]"
            let (whole, closed) = try await closingExchange(port: port, post("/score", big, headers: "Connection: close\r\n"))
            #expect(closed)
            #expect(whole.hasPrefix("HTTP/1.1 200 OK") && whole.lowercased().contains("connection: close"), "\(whole.prefix(300))")
            #expect(whole.range(of: #"\r\ndate: [A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT\r\n"#, options: [.regularExpression, .caseInsensitive]) != nil)
            let body = try #require(whole.components(separatedBy: "\r\n\r\n").last)
            #expect((object(ByteBuffer(string: body))["predictions"] as? [String])?.count == 400)
            // HTTP/1.0 keeps the connection only when asked to: without keep-alive the answer closes it.
            let old = "POST /score HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: \(row.utf8.count + 2)\r\n\r\n[\(row)]"
            let (plain, plainClosed) = try await closingExchange(port: port, old)
            #expect(plainClosed && plain.hasPrefix("HTTP/1.1 200 OK") && plain.lowercased().contains("connection: close"), "\(plain.prefix(300))")
            let kept = try await exchange(port: port, old.replacingOccurrences(of: "HTTP/1.0\r\n", with: "HTTP/1.0\r\nConnection: keep-alive\r\n")
                + "GET /ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            #expect(kept.components(separatedBy: "HTTP/1.").count == 3, "two answers on one connection: \(kept.prefix(600))")
        }
    }

    @Test("An answer written by the pipeline is exact HTTP/1.1 bytes: status line with its reason, fields, length, date, server")
    func serializedAnswer() {
        func bytes(_ reply: ScoringReply, close: Bool) -> String {
            var buffer = ByteBuffer()
            ScoringChannelHandler.serialize(reply, date: "Thu, 03 Dec 2026 08:47:07 GMT", close: close, into: &buffer)
            return String(buffer: buffer)
        }
        let ok = ScoringReply(status: 200, body: Array("{\"predictions\":[1]}".utf8), requestId: "r-1", deployment: "blue", version: "3")
        #expect(bytes(ok, close: false) == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-ID: r-1\r\n"
            + "X-Pulk-Deployment: blue\r\nX-Pulk-Model-Version: 3\r\nContent-Length: 19\r\nDate: Thu, 03 Dec 2026 08:47:07 GMT\r\n"
            + "Server: pulk\r\n\r\n{\"predictions\":[1]}")
        var busy = ScoringReply.error(429, "TOO_MANY_REQUESTS", "busy")
        busy.retryAfter = "1"
        let text = bytes(busy, close: true)
        #expect(text.hasPrefix("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"))
        #expect(text.contains("\r\nConnection: close\r\n\r\n{\"error_code\":\"TOO_MANY_REQUESTS\""))
        #expect(bytes(.error(413, "PAYLOAD_TOO_LARGE", "x"), close: false).hasPrefix("HTTP/1.1 413 Payload Too Large\r\n"))
    }

    @Test("A body over the limit gets 413 from the pipeline and the connection stays usable")
    func tooLarge() async throws {
        let router = Router()
        let routes = ServingRoutes(table: table(), bodyLimit: 2048)
        routes.register(router, defaultEndpoint: "penguins")
        let app = Application(router: router, server: routes.server(defaultEndpoint: "penguins", logger: .test))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let big = "[" + Array(repeating: row, count: 40).joined(separator: ",") + "]"
            let answer = try await exchange(port: port, post("/score", big) + post("/score", "[\(row)]", headers: "Connection: close\r\n"))
            let heads = answer.components(separatedBy: "HTTP/1.1 ").dropFirst()
            #expect(heads.count == 2)
            #expect(heads.first?.hasPrefix("413") == true && heads.first?.contains("limit of 2048 bytes") == true)
            #expect(heads.last?.hasPrefix("200") == true)
        }
    }

    /// The handler alone in an embedded channel: what it passes on to the router (recorded by the
    /// next handler) and what it answers itself.
    @Test("Requests go to the router while one is unanswered; a shutdown waits for the request being read")
    func handlerOrderAndDrain() throws {
        final class Router: ChannelInboundHandler {
            typealias InboundIn = HTTPServerRequestPart
            var heads: [String] = []
            var quiesced = 0
            func channelRead(context: ChannelHandlerContext, data: NIOAny) {
                if case .head(let h) = unwrapInboundIn(data) { heads.append(h.uri) }
            }
            func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
                if event is ChannelShouldQuiesceEvent { quiesced += 1 }
            }
        }
        let router = Router()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ScoringChannelHandler(routes: ServingRoutes(table: table()), defaultEndpoint: "penguins",
                                                                             logger: .test))
        try channel.pipeline.syncOperations.addHandler(router)
        func send(_ path: String, _ body: String?, method: HTTPMethod = .POST) throws {
            try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: method, uri: path)))
            if let body { try channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: body))) }
            try channel.writeInbound(HTTPServerRequestPart.end(nil))
        }
        // What the handler answers itself reaches the socket as one buffer of HTTP/1.1 bytes.
        func answered() throws -> (status: Int, body: String)? {
            guard let bytes = try channel.readOutbound(as: ByteBuffer.self) else { return nil }
            let text = String(buffer: bytes)
            let parts = text.components(separatedBy: "\r\n\r\n")
            guard parts.count == 2, text.hasPrefix("HTTP/1.1 "), let status = Int(text.dropFirst(9).prefix(3)),
                  parts[0].lowercased().contains("\r\ncontent-length: \(parts[1].utf8.count)\r\n") else { return nil }
            return (status, parts[1])
        }
        // A router request, then a scoring request: both go to the router, in order.
        try send("/ready", nil, method: .GET)
        try send("/score", "[\(row)]")
        #expect(router.heads == ["/ready", "/score"])
        #expect(try answered() == nil)
        // The router answers both; the next scoring request is answered here.
        for _ in 0..<2 { try channel.writeOutbound(HTTPServerResponsePart.end(nil)) }
        while try channel.readOutbound(as: HTTPServerResponsePart.self) != nil {}
        try send("/score", "[\(row)]")
        #expect(router.heads.count == 2)
        let reply = try #require(try answered())
        #expect(reply.status == 200 && reply.body.contains("\"predictions\""))
        // A shutdown while a body is being read: the quiesce waits for the answer.
        try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/invocations")))
        try channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: "{\"dataframe_records\": [")))
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(router.quiesced == 0)
        try channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: "\(row)]}")))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        #expect(try answered()?.status == 200)
        #expect(router.quiesced == 1)
        // With nothing being read, the quiesce goes straight on.
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(router.quiesced == 2)
        _ = try channel.finish()
    }

    /// The connection's time bounds under an injected clock (the embedded loop's): an idle
    /// connection and a stalled body are closed after the idle timeout; a request the router is
    /// still answering keeps its connection however long it takes.
    @Test("Idle and stalled connections are closed; one waiting for the router's answer is not")
    func idleTimeout() throws {
        func channel() throws -> EmbeddedChannel {
            let c = EmbeddedChannel()
            try c.pipeline.syncOperations.addHandler(ScoringChannelHandler(routes: ServingRoutes(table: table()), defaultEndpoint: "penguins",
                                                                           logger: .test, idleTimeout: .seconds(60)))
            try c.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            return c
        }
        // No request at all (a head that never completes looks the same from here).
        let idle = try channel()
        idle.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(idle.isActive)
        idle.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!idle.isActive)
        // A body that stops: closed 60 s after its last bytes.
        let stalled = try channel()
        try stalled.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/score")))
        stalled.embeddedEventLoop.advanceTime(by: .seconds(50))
        try stalled.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: "[")))
        stalled.embeddedEventLoop.advanceTime(by: .seconds(50))
        #expect(stalled.isActive)
        stalled.embeddedEventLoop.advanceTime(by: .seconds(11))
        #expect(!stalled.isActive)
        // A request handed to the router: no limit while its answer is owed, the idle bound after it.
        let routed = try channel()
        try routed.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/ready")))
        try routed.writeInbound(HTTPServerRequestPart.end(nil))
        while try routed.readInbound(as: HTTPServerRequestPart.self) != nil {}
        routed.embeddedEventLoop.advanceTime(by: .seconds(600))
        #expect(routed.isActive)
        try routed.writeOutbound(HTTPServerResponsePart.end(nil))
        routed.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(routed.isActive)
        routed.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!routed.isActive)
    }

    /// Malformed HTTP over a real socket: a bad request line, a bad header, and a chunk size that
    /// overflows, to the pipeline's route and to the router's, each answered 400 with a JSON body.
    @Test("Malformed framing gets 400 with a JSON body, never an empty answer or a 500")
    func malformedFraming() async throws {
        let router = Router()
        let routes = ServingRoutes(table: table())
        routes.register(router, defaultEndpoint: "penguins")
        router.post("/upload") { request, _ -> String in
            _ = try await request.body.collect(upTo: 1 << 20)
            return "ok"
        }
        let app = Application(router: router, server: routes.server(defaultEndpoint: "penguins", logger: .test))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let chunked = "Host: localhost\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
            for request in ["GARBAGE\r\n\r\n", "GET / HTTP/1.1\r\nBad Header Line\r\n\r\n",
                            "POST /score HTTP/1.1\r\n" + chunked + "FFFFFFFFFFFFFFFFFFFF\r\n[1]\r\n0\r\n\r\n",
                            "POST /score HTTP/1.1\r\n" + chunked + "zz\r\n"] {
                let (answer, closed) = try await closingExchange(port: port, request)
                #expect(answer.hasPrefix("HTTP/1.1 400"), "\(request.prefix(30)): \(answer.prefix(200))")
                #expect(answer.contains("\"error_code\":\"BAD_REQUEST\"") || answer.contains("\"error_code\": \"BAD_REQUEST\""), "\(answer)")
                #expect(closed)
            }
        }
    }

    /// A body in transit holds its place under the endpoint's limit from its head on (not after
    /// it has been buffered); a refused request's body is read and dropped, not kept; a client gone
    /// in the middle of a body gives its place back.
    @Test("Admission before buffering: bodies in transit count, refused bodies are not kept, a gone client leaves")
    func admissionBeforeBuffering() throws {
        var settings = EndpointSettings()
        settings.maxConcurrency = 1
        let table = EndpointTable()
        table.install(EndpointRuntime(name: "penguins", settings: settings, deployments: [deployment("blue", gbdt, version: "1", traffic: 100)]))
        let routes = ServingRoutes(table: table)
        func channel() throws -> EmbeddedChannel {
            let c = EmbeddedChannel()
            try c.pipeline.syncOperations.addHandler(ScoringChannelHandler(routes: routes, defaultEndpoint: "penguins", logger: .test))
            return c
        }
        func status(_ c: EmbeddedChannel) throws -> Int? {
            guard let bytes = try c.readOutbound(as: ByteBuffer.self) else { return nil }
            return Int(String(buffer: bytes).dropFirst(9).prefix(3))
        }
        let slow = try channel(), other = try channel()
        try slow.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/score")))
        try slow.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: "[")))
        // The slow body holds the only place: the other request is refused, its body dropped.
        try other.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/score")))
        try other.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: "[\(row)]")))
        try other.writeInbound(HTTPServerRequestPart.end(nil))
        #expect(try status(other) == 429)
        // The slow client goes away mid-body: its place comes back.
        try slow.close().wait()
        try other.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/score")))
        try other.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: "[\(row)]")))
        try other.writeInbound(HTTPServerRequestPart.end(nil))
        #expect(try status(other) == 200)
        #expect(table["penguins"]?.inFlight.withLockedValue { $0 } == 0)
        // A declared length over the limit is refused without keeping the body.
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/score")
        head.headers.add(name: "Content-Length", value: String(routes.bodyLimit + 1))
        try other.writeInbound(HTTPServerRequestPart.head(head))
        try other.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: "[")))
        try other.writeInbound(HTTPServerRequestPart.end(nil))
        #expect(try status(other) == 413)
        _ = try other.finish()
    }
}
