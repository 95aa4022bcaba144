import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing
@testable import SextantHTTP

/// The limits' decisions on an embedded pipeline (NIO's decoder and encoder, the handler,
/// an application that answers each request when it ends, or at once), with the loop's
/// clock moved by hand: no wall-clock time is involved.
@Suite struct RequestLimitsHandlerTests {
    static let limits = HTTPLimits(maxRequestBytes: 100, headerTimeout: .seconds(10), bodyTimeout: .seconds(30), idleTimeout: .seconds(75), lingerTime: .seconds(5))

    /// Answers `200 ok` to each request: at its end, at its head, or when told; and a
    /// `500` when its read of a request fails, as Hummingbird does.
    final class Application: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        enum When { case atEnd, atHead, whenTold }
        let when: When
        var errors: [any Error] = []
        var requests = 0
        /// Whether the writes of its last answer failed.
        var writeFailed = false
        var context: ChannelHandlerContext?

        init(when: When) {
            self.when = when
        }

        func handlerAdded(context: ChannelHandlerContext) {
            self.context = context
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head:
                requests += 1
                if when == .atHead { answer() }
            case .body: break
            case .end: if when == .atEnd { answer() }
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            errors.append(error)
            answer(.internalServerError)
        }

        func answer(_ status: HTTPResponseStatus = .ok) {
            guard let context else { return }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: ["content-length": "2"]))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "ok")))), promise: nil)
            let promise = context.eventLoop.makePromise(of: Void.self)
            promise.futureResult.assumeIsolated().whenFailure { _ in self.writeFailed = true }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
        }
    }

    struct Server {
        let channel: EmbeddedChannel
        let application: Application

        init(answering when: Application.When = .atEnd) throws {
            channel = EmbeddedChannel()
            application = Application(when: when)
            let limits = RequestLimits(RequestLimitsHandlerTests.limits, group: channel.embeddedEventLoop)
            try channel.pipeline.syncOperations.addHandler(HTTPResponseEncoder())
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder()))
            try channel.pipeline.syncOperations.addHandler(RequestLimitsHandler(limiter: limits.limiter(on: channel.embeddedEventLoop)))
            try channel.pipeline.syncOperations.addHandler(application)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            channel.read()
        }

        /// One read of `text`, then the next read asked for, as a channel with `autoRead` does.
        func send(_ text: String) throws {
            try channel.writeInbound(ByteBuffer(string: text))
            channel.read()
        }

        func advance(_ seconds: Int64) {
            channel.embeddedEventLoop.advanceTime(by: .seconds(seconds))
        }

        /// Everything written to the client so far.
        func output() throws -> String {
            var text = ""
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
            return text
        }

        var isOpen: Bool { channel.isActive }
    }

    @Test("the header timeout counts from the first byte of the head: a trickle does not extend it")
    func headerTimeout() throws {
        let server = try Server()
        try server.send("POST / HTTP/1.1\r\n")
        for _ in 0..<9 {
            server.advance(1)
            try server.send("X: y\r\n")
        }
        #expect(try server.output().isEmpty)
        server.advance(1)
        let output = try server.output()
        #expect(output.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"), "\(output)")
        #expect(output.contains(#"{"error":"the request head was not complete within 10 s (header timeout)"}"#))
        #expect(!server.isOpen)
    }

    @Test("the body timeout counts from the last read: a slow body that keeps coming is served; one that stops gets 408")
    func bodyTimeout() throws {
        let server = try Server()
        try server.send("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n")
        for _ in 0..<5 {
            server.advance(29)
            try server.send("x")
        }
        try server.send("xxxxx")
        #expect(try server.output().hasPrefix("HTTP/1.1 200 OK"))
        try server.send("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nxxx")
        server.advance(30)
        let output = try server.output()
        #expect(output.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"), "\(output)")
        #expect(output.contains("the request body is short: 3 of its 10 bytes arrived, then nothing for 30 s (body timeout)"))
        #expect(server.application.errors.contains { ($0 as? Refusal)?.reason == .bodyTimeout }, "the application's read of the body fails")
        #expect(!server.isOpen)
    }

    @Test("idle: a connection closes without a word 75 s after its last answer, not while a request is being answered")
    func idleTimeout() throws {
        let server = try Server(answering: .whenTold)
        server.advance(70)
        try server.send("GET / HTTP/1.1\r\n\r\n")
        server.advance(100)
        #expect(server.isOpen, "the answer takes its time")
        server.application.answer()
        #expect(try server.output().hasPrefix("HTTP/1.1 200 OK"))
        server.advance(74)
        #expect(server.isOpen)
        server.advance(1)
        #expect(!server.isOpen)
        #expect(try server.output().isEmpty)
    }

    @Test("a body over the limit after an early answer: no second answer, the connection closes")
    func refusalAfterAnswer() throws {
        let server = try Server(answering: .atHead)
        try server.send("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n" + String(repeating: "x", count: 80) + "\r\n")
        #expect(try server.output().hasPrefix("HTTP/1.1 200 OK"))
        try server.send("50\r\n" + String(repeating: "x", count: 80) + "\r\n")
        #expect(try server.output().isEmpty, "the answer was given: nothing more is written")
        #expect(!server.isOpen)
    }

    @Test("a head over the limit is refused before the application sees it")
    func refusedHead() throws {
        let server = try Server()
        try server.send("POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n")
        let output = try server.output()
        #expect(output.hasPrefix("HTTP/1.1 413 Payload Too Large\r\n"))
        #expect(output.lowercased().contains("connection: close"))
        #expect(output.hasSuffix(#"{"error":"the request body is 101 bytes; this server takes at most 100 (--max-request-bytes)"}"#))
        #expect(server.application.requests == 0, "the application never saw the refused head")
    }

    @Test("a refused body the application was reading: its read fails, and what it writes then is dropped")
    func applicationWritesAfterRefusal() throws {
        let server = try Server()
        try server.send("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n" + String(repeating: "x", count: 80) + "\r\n")
        try server.send("50\r\n" + String(repeating: "x", count: 80) + "\r\n")
        let output = try server.output()
        #expect(output.hasPrefix("HTTP/1.1 413 Payload Too Large\r\n"), "\(output)")
        #expect(!output.contains("500"), "\(output)")
        #expect(server.application.errors.contains { ($0 as? Refusal)?.reason == .tooLarge })
        #expect(server.application.writeFailed)
    }

    @Test("a malformed request: 400 when no answer began, after the answers before it")
    func malformed() throws {
        let server = try Server(answering: .whenTold)
        try server.send("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nBad Header\r\n\r\n")
        #expect(try server.output().isEmpty, "held until the answer before it")
        server.application.answer()
        let output = try server.output()
        #expect(output.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(output)")
        #expect(output.contains("HTTP/1.1 400 Bad Request\r\n"), "\(output)")
        #expect(output.contains("the request is not valid HTTP/1.1"))
    }
}
