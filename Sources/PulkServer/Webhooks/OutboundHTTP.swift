import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import PulkAccess

/// One HTTP/1.1 POST to a checked target (`OutboundURLPolicy.Target`): it connects to one of the
/// addresses the policy checked (never resolves the name again), speaks TLS with the URL's host
/// name for SNI and certificate checks, and reads at most 64 KiB of the answer.
enum OutboundHTTP {
    struct Answer: Sendable { var status: Int; var body: String }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func post(_ target: OutboundURLPolicy.Target, headers: [(String, String)], body: [UInt8], timeout: Duration,
                     group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> Answer {
        guard let address = target.addresses.first else { throw Failure(description: "no address to connect to") }
        let socket = try SocketAddress(ipAddress: address, port: target.port)
        let tls = target.secure ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        let literal = target.addresses.contains(target.host)
        let loop = group.next()
        let answer = loop.makePromise(of: Answer.self)
        let nanos = Int64(timeout.components.seconds) * 1_000_000_000 + Int64(timeout.components.attoseconds / 1_000_000_000)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.nanoseconds(nanos))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: literal ? nil : target.host)) }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(Collector(answer: answer))
                }
            }
        let channel: any Channel
        do { channel = try await bootstrap.connect(to: socket).get() } catch {
            answer.fail(error)
            throw Failure(description: "cannot connect to \(target.host) (\(address)) port \(target.port): \(error)")
        }
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target.target)
        let defaultPort = target.port == (target.secure ? 443 : 80)
        let hostName = target.host.contains(":") ? "[\(target.host)]" : target.host
        head.headers.add(name: "Host", value: defaultPort ? hostName : "\(hostName):\(target.port)")
        head.headers.add(name: "User-Agent", value: "pulk-webhooks")
        head.headers.add(name: "Content-Length", value: String(body.count))
        head.headers.add(name: "Connection", value: "close")
        for (k, v) in headers { head.headers.add(name: k, value: v) }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        let deadline = loop.scheduleTask(in: .nanoseconds(nanos)) {
            answer.fail(Failure(description: "no answer within \(timeout)"))
            channel.close(promise: nil)
        }
        defer { deadline.cancel(); channel.close(promise: nil) }
        return try await answer.futureResult.get()
    }

    /// Reads the answer's status and up to 64 KiB of its body; fails on a closed connection.
    final class Collector: ChannelInboundHandler {
        typealias InboundIn = HTTPClientResponsePart
        let answer: EventLoopPromise<Answer>
        var status = 0
        var body = ByteBuffer()
        var done = false

        init(answer: EventLoopPromise<Answer>) { self.answer = answer }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h): status = Int(h.status.code)
            case .body(var b): if body.readableBytes < 65_536 { body.writeBuffer(&b) }
            case .end:
                finish(.success(Answer(status: status, body: String(buffer: body))))
                context.close(promise: nil)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            finish(.failure(Failure(description: "the connection closed before the answer was complete")))
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            finish(.failure(error))
            context.close(promise: nil)
        }

        func finish(_ result: Result<Answer, any Error>) {
            guard !done else { return }
            done = true
            answer.completeWith(result)
        }
    }
}
