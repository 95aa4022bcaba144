import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A model server stand-in on 127.0.0.1 for the proxy tests: answers by a fixed behaviour
/// and records what it saw (connections, requests, the last request head).
final class TestUpstream: Sendable {
    enum Behavior: Sendable {
        /// 200 with the request's body, byte for byte.
        case echo
        /// This status and body (JSON), after a delay.
        case answer(status: Int, body: String, delayMilliseconds: Int64 = 0)
        /// Answers the first request of a connection (keep-alive), and closes the connection
        /// without a word when a second request arrives on it.
        case oneAnswerPerConnection(body: String)
        /// Reads the whole request, then closes the connection without an answer.
        case closeWithoutAnswer
        /// Never answers.
        case hang
    }

    struct Seen: Sendable {
        var connections = 0
        var closed = 0
        var requests = 0
        var lastHead: HTTPRequestHead?
        /// Each request's target, in order.
        var targets: [String] = []
    }

    let port: Int
    private let channel: any Channel
    private let recorder: Recorder

    private init(port: Int, channel: any Channel, recorder: Recorder) {
        self.port = port
        self.channel = channel
        self.recorder = recorder
    }

    var connections: Int { recorder.seen.withLock { $0.connections } }
    /// Connections that have closed since.
    var closedConnections: Int { recorder.seen.withLock { $0.closed } }
    var requests: Int { recorder.seen.withLock { $0.requests } }
    var lastHead: HTTPRequestHead? { recorder.seen.withLock { $0.lastHead } }
    var targets: [String] { recorder.seen.withLock { $0.targets } }

    /// `stallMilliseconds`: each connection reads nothing for that long (its socket's
    /// buffers fill up, and the gateway must hold its client's reads).
    static func start(_ behavior: Behavior, stallMilliseconds: Int64 = 0) async throws -> TestUpstream {
        let recorder = Recorder()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: stallMilliseconds == 0)
            .childChannelInitializer { channel in
                recorder.seen.withLock { $0.connections += 1 }
                channel.closeFuture.whenComplete { _ in recorder.seen.withLock { $0.closed += 1 } }
                if stallMilliseconds > 0 {
                    channel.eventLoop.scheduleTask(in: .milliseconds(stallMilliseconds)) { channel.setOption(.autoRead, value: true).whenSuccess { channel.read() } }
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(Handler(behavior: behavior, recorder: recorder))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TestUpstream(port: channel.localAddress!.port!, channel: channel, recorder: recorder)
    }

    func stop() async {
        try? await channel.close()
    }

    fileprivate final class Recorder: Sendable {
        let seen = Mutex(Seen())
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let behavior: Behavior
        let recorder: Recorder
        var body = ByteBuffer()
        var answered = 0

        init(behavior: Behavior, recorder: Recorder) {
            self.behavior = behavior
            self.recorder = recorder
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                body.clear()
                recorder.seen.withLock {
                    $0.requests += 1
                    $0.lastHead = head
                    $0.targets.append(head.uri)
                }
                if case .oneAnswerPerConnection = behavior, answered > 0 { context.close(promise: nil) }
            case .body(var buffer):
                body.writeBuffer(&buffer)
            case .end:
                answer(context: context)
            }
        }

        private func answer(context: ChannelHandlerContext) {
            switch behavior {
            case .echo:
                send(context: context, status: 200, body: body, contentType: "application/octet-stream")
            case .answer(let status, let text, let delay):
                if delay > 0 {
                    let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
                    context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(delay)) {
                        self.send(context: loopBound.value, status: status, body: ByteBuffer(string: text), contentType: "application/json")
                    }
                } else {
                    send(context: context, status: status, body: ByteBuffer(string: text), contentType: "application/json")
                }
            case .oneAnswerPerConnection(let text):
                send(context: context, status: 200, body: ByteBuffer(string: text), contentType: "application/json")
            case .closeWithoutAnswer:
                context.close(promise: nil)
            case .hang:
                break
            }
        }

        private func send(context: ChannelHandlerContext, status: Int, body: ByteBuffer, contentType: String) {
            guard context.channel.isActive else { return }
            answered += 1
            let headers: HTTPHeaders = ["content-type": contentType, "content-length": String(body.readableBytes)]
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

/// A client that writes raw bytes and reads whatever comes back (pipelining).
final class RawClient: Sendable {
    private let channel: any Channel
    private let received: Received

    private init(channel: any Channel, received: Received) {
        self.channel = channel
        self.received = received
    }

    private final class Received: Sendable {
        let text = Mutex("")
    }

    private final class Collecting: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let received: Received

        init(received: Received) {
            self.received = received
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let text = String(buffer: unwrapInboundIn(data))
            received.text.withLock { $0 += text }
        }
    }

    static func connect(port: Int) async throws -> RawClient {
        let received = Received()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collecting(received: received)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawClient(channel: channel, received: received)
    }

    /// Sends `text`, then waits (up to 10 s) until what came back satisfies `done`; closes.
    func exchange(_ text: String, until done: (String) -> Bool) async throws -> String {
        try await channel.writeAndFlush(ByteBuffer(string: text))
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, !done(received.text.withLock { $0 }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        try? await channel.close()
        return received.text.withLock { $0 }
    }
}

/// A model server stand-in that answers every request with canned bytes, for the framings
/// NIO's encoder would not write (chunks with extensions and trailers, no length at all).
final class RawUpstream: Sendable {
    let port: Int
    private let channel: any Channel
    private let counts: Counts

    private final class Counts: Sendable {
        let connections = Mutex(0)
        let requests = Mutex(0)
    }

    var connections: Int { counts.connections.withLock { $0 } }
    var requests: Int { counts.requests.withLock { $0 } }

    private init(port: Int, channel: any Channel, counts: Counts) {
        self.port = port
        self.channel = channel
        self.counts = counts
    }

    /// `answer` is written after each request (its head and `Content-Length` bytes of body);
    /// with `close`, the connection is closed after it.
    static func start(answer: String, close: Bool = false) async throws -> RawUpstream {
        let counts = Counts()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                counts.connections.withLock { $0 += 1 }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(answer: answer, close: close, counts: counts))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return RawUpstream(port: channel.localAddress!.port!, channel: channel, counts: counts)
    }

    func stop() async {
        try? await channel.close()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let answer: String
        let close: Bool
        let counts: Counts
        var received = ""

        init(answer: String, close: Bool, counts: Counts) {
            self.answer = answer
            self.close = close
            self.counts = counts
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += String(buffer: unwrapInboundIn(data))
            while let end = received.range(of: "\r\n\r\n") {
                let head = received[..<end.lowerBound].lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                guard received.utf8.count - received[..<end.upperBound].utf8.count >= length else { return }
                received = String(received.utf8.dropFirst(received[..<end.upperBound].utf8.count + length))!
                counts.requests.withLock { $0 += 1 }
                if close {
                    context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
                    return
                } else {
                    context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer)), promise: nil)
                }
            }
        }
    }
}
