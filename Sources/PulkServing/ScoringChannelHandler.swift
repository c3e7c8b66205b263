public import HummingbirdCore
import NIOCore
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOHTTP1
import HTTPTypes
public import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Answers scoring requests inside the connection's channel pipeline, on its event loop, before
/// they reach Hummingbird's router: the fast path of `pulk serve` and `pulk server`.
///
/// Through the router a request crosses from the channel to Swift concurrency and back (an async
/// sequence of request parts, a task per request, an async writer for the answer), which costs more
/// than scoring a row does. Here the request's parts are gathered as they arrive and the whole
/// body is scored synchronously when its end arrives (`ServingRoutes.scoreNow`: the same checks,
/// answers, metrics, serving log and mirrors as the router's route). Everything else (other
/// routes, endpoints that micro-batch, which must wait for their batch) goes on to the router.
///
/// While a request handed to the router has not been answered, later requests on the connection
/// go to the router too, so that pipelined answers keep their order. A request taken here is
/// finished before a shutdown's quiesce event is passed on (graceful drain).
///
/// It also keeps the connection's time bounds, since it sees every request part and every answer:
/// a connection with no request in progress, or a request whose next bytes do not come, for
/// `idleTimeout` is closed (a slow or stalled head, a body that stops, an idle keep-alive), while
/// one waiting for the router's answer is not. A request that is not valid HTTP is answered 400
/// with a JSON body saying so, then the connection is closed.
///
/// It sits ahead of `HTTP1ToHTTPServerCodec` (`ScoringPipelineInstaller` puts it there), on NIO's
/// own request parts: a request it takes is never converted to HTTPTypes' (the codec's conversion
/// was ~3.5% of the server's CPU under 100-row requests), and what it passes on, and the router's
/// answers coming back, are converted by the codec as before.
final class ScoringChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    let routes: ServingRoutes
    let defaultEndpoint: String?
    let logger: Logger
    /// How long a connection may wait for a request's next bytes (nil: for ever).
    let idleTimeout: TimeAmount?

    /// Whether a request's head has arrived and its end has not (here or on its way to the router).
    private var reading = false
    /// When a request part last arrived or an answer was last written.
    private var lastActivity = NIODeadline.uptimeNanoseconds(0)
    private var timer: Scheduled<Void>?

    /// The request being taken here, its place under the endpoint's limit (taken when its head
    /// arrived, so a body in transit counts) or the refusal it gets once its body has been read
    /// and dropped, its body so far, whether the body outgrew the limit, and whether the client
    /// asked to close the connection after the answer.
    private var call: ScoringCall?
    private var admission: ServingRoutes.Admission?
    private var refusal: ScoringReply?
    private var body = ByteBuffer()
    private var tooLarge = false
    private var closeAfter = false
    /// Requests handed to the router whose answer has not ended.
    private var routed = 0
    /// A quiesce event that arrived while a request was being taken here.
    private var heldQuiesce = false
    /// The Date header's value, made again when the second changes.
    private var date = (second: 0, value: "")

    /// Where answers written here enter the pipeline: the context of `RawResponses`, first in the
    /// pipeline, ahead of the HTTP encoders (nil until the handler is added).
    private var outlet: ChannelHandlerContext?

    init(routes: ServingRoutes, defaultEndpoint: String?, logger: Logger, idleTimeout: TimeAmount? = nil) {
        self.routes = routes
        self.defaultEndpoint = defaultEndpoint
        self.logger = logger
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let raw = RawResponses()
        do {
            try context.pipeline.syncOperations.addHandler(raw, position: .first)
            outlet = try context.pipeline.syncOperations.context(handler: raw)
        } catch {
            // Only when the channel is already being torn down: nothing can be answered on it.
            context.close(promise: nil)
        }
        lastActivity = context.eventLoop.now
        if let idleTimeout { arm(context, at: lastActivity + idleTimeout) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        outlet = nil
        timer?.cancel()
        timer = nil
        release()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A client gone in the middle of a body gives its place back.
        release()
        context.fireChannelInactive()
    }

    private func release() {
        admission?.endpoint.leave()
        admission = nil
        call = nil
        body = ByteBuffer()
    }

    // MARK: time bounds

    private func arm(_ context: ChannelHandlerContext, at deadline: NIODeadline) {
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in self.checkIdle(context) }
    }

    /// Closes the connection when nothing has moved for `idleTimeout`, unless the router is still
    /// working on an answer; otherwise checks again when the time could next run out.
    private func checkIdle(_ context: ChannelHandlerContext) {
        guard let idleTimeout, context.channel.isActive else { return }
        let now = context.eventLoop.now
        if !reading && routed > 0 { return arm(context, at: now + idleTimeout) }
        guard now >= lastActivity + idleTimeout else { return arm(context, at: lastActivity + idleTimeout) }
        logger.notice("Closing a connection idle for \(idleTimeout.nanoseconds / 1_000_000_000) s\(reading ? " in the middle of a request" : "")",
                      metadata: ["hb.remote": .string(context.channel.remoteAddress?.description ?? "?")])
        context.close(promise: nil)
    }

    /// A request that is not valid HTTP (a bad request line or header, a malformed or overflowing
    /// chunk size): answered 400 with a JSON body and the connection closed, when no answer of the
    /// router's is owed on the connection; else the router's request sees the error (and its
    /// error middleware answers it).
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError, routed == 0 || call != nil else { return context.fireErrorCaught(error) }
        release()
        closeAfter = true
        write(.error(400, "BAD_REQUEST", "The request is not valid HTTP/1.1 (\(error)); check the request line, headers and chunked encoding"),
              context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = context.eventLoop.now
        switch unwrapInboundIn(data) {
        case .head(let request):
            reading = true
            guard routed == 0, let taken = routes.fastCall(request, defaultEndpoint: defaultEndpoint) else {
                routed += 1
                context.fireChannelRead(data)
                return
            }
            logger.info("Request", metadata: ["hb.request.path": .string(request.uri), "hb.request.method": .string(request.method.rawValue)])
            call = taken
            body = ByteBuffer()
            // A declared length over the limit is known now: nothing of the body is kept.
            tooLarge = request.headers.first(name: "content-length").flatMap(Int.init).map { $0 > routes.bodyLimit } ?? false
            switch routes.admit(taken) {
            case .admitted(let a): admission = a; refusal = nil
            case .refused(let r): admission = nil; refusal = r
            }
            // `Connection: close`, or HTTP/1.0 without keep-alive.
            closeAfter = !request.isKeepAlive
        case .body(var chunk):
            guard call != nil else { return context.fireChannelRead(data) }
            if tooLarge || refusal != nil { return }
            if body.readableBytes + chunk.readableBytes > routes.bodyLimit {
                tooLarge = true
                body = ByteBuffer()
            } else if body.readableBytes == 0 {
                body = chunk
            } else {
                body.writeBuffer(&chunk)
            }
        case .end:
            reading = false
            guard let taken = call else { return context.fireChannelRead(data) }
            call = nil
            let reply: ScoringReply
            if let admitted = admission {
                admission = nil
                reply = routes.scoreNow(taken, admitted: admitted, body: body, tooLarge: tooLarge)
            } else {
                reply = refusal ?? routes.scoreNow(taken, body: body, tooLarge: tooLarge)
            }
            refusal = nil
            body = ByteBuffer()
            write(reply, context: context)
            if heldQuiesce {
                heldQuiesce = false
                context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
            }
        }
    }

    /// Writes `reply` as one response (closing the connection afterwards when the client asked):
    /// serialized here into one buffer and written through `outlet`, past the HTTP encoders, which
    /// would turn the head into NIO's header type and the parts into bytes again, three pipeline
    /// steps each (5% of the server's CPU on 100-row requests; 2% this way). Answers keep their
    /// order: this handler answers only when every request handed to the router has had its
    /// answer's end written through it, and so through the encoders, already.
    private func write(_ reply: ScoringReply, context: ChannelHandlerContext) {
        guard let target = outlet else { return context.close(promise: nil) }
        var buffer = context.channel.allocator.buffer(capacity: reply.body.count + 320)
        Self.serialize(reply, date: httpDate(), close: closeAfter, into: &buffer)
        guard closeAfter else { return target.writeAndFlush(NIOAny(buffer), promise: nil) }
        let written = context.eventLoop.makePromise(of: Void.self)
        target.writeAndFlush(NIOAny(buffer), promise: written)
        let channel = context.channel
        written.futureResult.whenComplete { _ in channel.close(promise: nil) }
    }

    /// `reply` as HTTP/1.1 bytes: status line, its header fields, Content-Length, Date, Server (and
    /// Connection: close when `close`), then the body.
    static func serialize(_ reply: ScoringReply, date: String, close: Bool, into buffer: inout ByteBuffer) {
        buffer.writeString("HTTP/1.1 \(reply.status) \(HTTPResponseStatus(statusCode: reply.status).reasonPhrase)\r\n")
        reply.forEachField { name, value in
            buffer.writeString(name.rawName)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("Content-Length: ")
        buffer.writeString(String(reply.body.count))
        buffer.writeStaticString("\r\nDate: ")
        buffer.writeString(date)
        buffer.writeStaticString("\r\nServer: pulk\r\n")
        if close { buffer.writeStaticString("Connection: close\r\n") }
        buffer.writeStaticString("\r\n")
        buffer.writeBytes(reply.body)
    }

    /// Now as an HTTP date (`Thu, 03 Dec 2026 08:47:07 GMT`), as the router's answers carry it.
    private func httpDate() -> String {
        var now = time(nil)
        if Int(now) == date.second { return date.value }
        var t = tm()
        gmtime_r(&now, &t)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"], months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let value = "\(days[Int(t.tm_wday)]), \(twoDigits(t.tm_mday)) \(months[Int(t.tm_mon)]) \(t.tm_year + 1900) \(twoDigits(t.tm_hour)):\(twoDigits(t.tm_min)):\(twoDigits(t.tm_sec)) GMT"
        date = (Int(now), value)
        return value
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            routed = max(0, routed - 1)
            lastActivity = context.eventLoop.now
        }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, call != nil {
            heldQuiesce = true
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

@available(*, unavailable)
extension ScoringChannelHandler: Sendable {}

/// The first handler of a connection's pipeline when the scoring fast path is on: it lets
/// `ScoringChannelHandler` write whole responses as bytes straight to the socket (it passes
/// everything on as it is).
final class RawResponses: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ByteBuffer
}

@available(*, unavailable)
extension RawResponses: Sendable {}

extension ServingRoutes {
    /// The scoring call `request` makes when the pipeline may answer it: a POST to a scoring route
    /// of an endpoint that exists and scores requests one by one; nil for anything the router answers.
    func fastCall(_ request: HTTPRequestHead, defaultEndpoint: String?) -> ScoringCall? {
        guard request.method == .POST else { return nil }
        var path = Substring(request.uri)
        if let query = path.firstIndex(of: "?") { path = path[..<query] }
        guard let (name, mlflow) = Self.scoringRoute(path, defaultEndpoint: defaultEndpoint) else { return nil }
        guard let endpoint = table[String(name)], endpoint.scoresAlone else { return nil }
        // Several fields of one name are one field with comma-separated values (as HTTPTypes' codec joins them).
        func field(_ name: String) -> String? {
            let values = request.headers[name]
            return values.isEmpty ? nil : values.joined(separator: ", ")
        }
        let call = ScoringCall(endpoint: String(name), mlflow: mlflow, contentType: field(HTTPField.Name.contentType.canonicalName),
                               requestId: field(Self.requestIdHeader.canonicalName), authorization: field(HTTPField.Name.authorization.canonicalName))
        // Checking a user's credentials waits on the store: the router's route does that.
        if let accounts, accounts.required(), !holdsToken(call) { return nil }
        return call
    }

    /// The server's child-channel setup with the scoring fast path in the pipeline (give it to
    /// Hummingbird's `Application(server:)`); `defaultEndpoint` as in `register(_:defaultEndpoint:)`.
    /// `idleTimeout` bounds how long a connection waits for a request's next bytes (see
    /// `ScoringChannelHandler`); nil waits for ever.
    public func server(defaultEndpoint: String? = nil, logger: Logger, idleTimeout: Duration? = .seconds(60)) -> HTTPServerBuilder {
        .http1(configuration: .init(additionalChannelHandlers: [
            ScoringPipelineInstaller(ScoringChannelHandler(routes: self, defaultEndpoint: defaultEndpoint, logger: logger,
                                                           idleTimeout: idleTimeout.map(TimeAmount.init))),
        ]))
    }

    /// The same server with TLS in front when `tls` is given (`--tls-cert`, `--tls-key`).
    public func server(defaultEndpoint: String? = nil, logger: Logger, idleTimeout: Duration? = .seconds(60), tls: ServerTLS?) throws -> HTTPServerBuilder {
        let plain = server(defaultEndpoint: defaultEndpoint, logger: logger, idleTimeout: idleTimeout)
        return try tls?.wrap(plain) ?? plain
    }
}

/// Puts `ScoringChannelHandler` ahead of `HTTP1ToHTTPServerCodec` and leaves: Hummingbird adds its
/// additional handlers after the codec, where requests arrive in HTTPTypes' form.
final class ScoringPipelineInstaller: ChannelInboundHandler, RemovableChannelHandler {
    /// (A pipeline takes only inbound or outbound handlers; this one passes everything on while it is there.)
    typealias InboundIn = HTTPRequestPart
    private let handler: ScoringChannelHandler

    init(_ handler: ScoringChannelHandler) { self.handler = handler }

    func handlerAdded(context: ChannelHandlerContext) {
        do {
            let pipeline = context.pipeline.syncOperations
            let codec = try pipeline.context(handlerType: HTTP1ToHTTPServerCodec.self)
            try pipeline.addHandler(handler, position: .before(codec.handler))
            pipeline.removeHandler(context: context, promise: nil)
        } catch {
            // Only when the channel is already being torn down (or has no HTTP/1 codec, which the
            // server builder above always adds): nothing can be answered on it.
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension ScoringPipelineInstaller: Sendable {}
