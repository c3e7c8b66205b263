import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import NIOHTTP1
import Logging
import PulkStore
import PulkLearn
@testable import PulkServing
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Raw HTTP/1.1 over a loopback socket: what a client sends in one write, and everything the
/// server answers until it closes the connection (or `until` appears in it).
///
/// The blocking socket calls run on a thread of their own: on a two-core machine Swift's
/// cooperative pool has two threads, and a test blocking one of them while other tests block the
/// other (an oracle's Python process) would starve the router this test is waiting for.
func exchange(port: Int, _ request: String, until marker: String? = nil) async throws -> String {
    try await closingExchange(port: port, request, until: marker).text
}

/// `exchange`, and whether the server closed the connection (rather than the read timing out).
func closingExchange(port: Int, _ request: String, until marker: String? = nil) async throws -> (text: String, closed: Bool) {
    try await withCheckedThrowingContinuation { (answer: CheckedContinuation<(text: String, closed: Bool), any Error>) in
        Thread { answer.resume(with: Result { try blockingExchange(port: port, request, until: marker) }) }.start()
    }
}

private func blockingExchange(port: Int, _ request: String, until marker: String?) throws -> (text: String, closed: Bool) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EBADF) }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var timeout = timeval(tv_sec: 120, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    let bytes = Array(request.utf8)
    var sent = 0
    while sent < bytes.count {
        let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw POSIXError(.EPIPE) }
        sent += n
    }
    var answer: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    var closed = false
    while true {
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { closed = n == 0; break }
        answer += chunk[..<n]
        if let marker, String(decoding: answer, as: UTF8.self).components(separatedBy: marker).count > 1 { break }
    }
    return (String(decoding: answer, as: UTF8.self), closed)
}

/// A request as a client writes it.
func post(_ path: String, _ body: String, headers: String = "") -> String {
    "POST \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\(headers)\r\n\(body)"
}

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
        let app = Application(router: router, server: routes.server(defaultEndpoint: "penguins", logger: Logger(label: "test")))
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
        let app = Application(router: router, server: routes.server(defaultEndpoint: "penguins", logger: Logger(label: "test")))
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
                                                                             logger: Logger(label: "test")))
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
}
