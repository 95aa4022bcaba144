import Foundation
import NIOCore
import SextantHTTP
import SextantTestSupport
import Testing
@testable import SextantServing

/// `serve-model`'s HTTP limits on a real listening server (its `ModelRequestHandler`
/// driving the connection's `RequestLimiter`): oversized, slow, short and malformed requests get 413, 408 or
/// 400 and their connection closes, idle connections close, and the server goes on serving.
@Suite struct ModelServerLimitsTests {
    /// As in the gateway's `LimitsTests`: long timeouts but for the one a test is about.
    static func limits(header: Duration = .seconds(30), body: Duration = .seconds(30), idle: Duration = .seconds(30)) -> HTTPLimits {
        HTTPLimits(maxRequestBytes: 1 << 20, headerTimeout: header, bodyTimeout: body, idleTimeout: idle, lingerTime: .seconds(2))
    }
    static let request = #"{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":[1]},{"name":"region","datatype":"BYTES","shape":[1],"data":["eu"]}]}"#

    /// A server of `ModelServerTests.server()` on a free port with `limits`, for `body`.
    static func withServer(_ limits: HTTPLimits = limits(), _ body: (LimitProbe) async throws -> Void) async throws {
        try await LoopbackModelServer.with(try ModelServerTests.server(), limits: limits) { port in
            try await body(LimitProbe(port: port, path: "/v2/models/m/infer"))
        }
    }

    /// The same server answers an inference request.
    static func stillServes(_ probe: LimitProbe) async throws {
        let answer = try await probe.ordinary(request)
        #expect(answer.status == 200, "\(answer)")
        #expect(answer.body.contains(#""model_version":"7""#))
    }

    @Test("a body over the limit by its Content-Length: 413 at once, before a byte of it is sent, and the connection closes")
    func tooLargeByLength() async throws {
        try await Self.withServer { probe in
            let outcome = try await probe.tooLargeByLength(96_000_000)
            #expect(outcome.status == 413, "\(outcome)")
            #expect(outcome.error == "the request body is 96000000 bytes; this server takes at most 1048576 (--max-request-bytes)")
            #expect(outcome.saysClose)
            #expect(outcome.closed)
            try await Self.stillServes(probe)
        }
    }

    @Test("a chunked body that grows past the limit: 413 while the server reads it, and the connection closes")
    func tooLargeChunked() async throws {
        try await Self.withServer { probe in
            let outcome = try await probe.tooLargeChunked(size: 4 << 20)
            #expect(outcome.status == 413, "\(outcome)")
            #expect(outcome.error == "the request body is more than 1048576 bytes; this server takes at most 1048576 (--max-request-bytes)")
            #expect(outcome.closed)
            #expect(outcome.answers == 1, "the refusal only, not the application's answer too: \(outcome)")
            try await Self.stillServes(probe)
        }
    }

    @Test("a head that trickles in a byte at a time: 408 after the header timeout, and the connection closes")
    func slowHead() async throws {
        try await Self.withServer(Self.limits(header: .milliseconds(300))) { probe in
            let outcome = try await probe.slowHead()
            #expect(outcome.status == 408, "\(outcome)")
            #expect(outcome.error == "the request head was not complete within 0.3 s (header timeout)")
            #expect(outcome.closed)
            try await Self.stillServes(probe)
        }
    }

    @Test("a body shorter than its Content-Length: 408 after the body timeout, and the connection closes")
    func shortBody() async throws {
        try await Self.withServer(Self.limits(body: .milliseconds(300))) { probe in
            let outcome = try await probe.shortBody()
            #expect(outcome.status == 408, "\(outcome)")
            #expect(outcome.error == "the request body is short: 10 of its 100 bytes arrived, then nothing for 0.3 s (body timeout)")
            #expect(outcome.closed)
            #expect(outcome.answers == 1, "\(outcome)")
            try await Self.stillServes(probe)
        }
    }

    @Test("a malformed chunk: 400 and the connection closes")
    func malformedChunk() async throws {
        try await Self.withServer { probe in
            let outcome = try await probe.malformedChunk()
            #expect(outcome.status == 400, "\(outcome)")
            #expect(outcome.error?.hasPrefix("the request is not valid HTTP/1.1 (") == true, "\(outcome)")
            #expect(outcome.closed)
            #expect(outcome.answers == 1, "\(outcome)")
            try await Self.stillServes(probe)
        }
    }

    @Test("idle connections close without a word: a new one that sends nothing, and a keep-alive one after its answer")
    func idleConnections() async throws {
        try await Self.withServer(Self.limits(idle: .milliseconds(500))) { probe in
            let silent = try await probe.idle()
            #expect(silent.closed)
            #expect(silent.raw.isEmpty)

            let connection = try await RawHTTPConnection.open(port: probe.port, sending: "GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await connection.waitUntilClosed())
            #expect(connection.received.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(connection.received.components(separatedBy: "HTTP/1.1").count == 2, "one answer, then the close: \(connection.received)")
            try await Self.stillServes(probe)
        }
    }

    @Test("a request pipelined behind others under way is refused after their answers, in order")
    func pipelinedRefusal() async throws {
        try await Self.withServer { probe in
            let ordinary = "POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Length: \(Self.request.utf8.count)\r\n\r\n\(Self.request)"
            let connection = try await RawHTTPConnection.open(port: probe.port,
                                                              sending: ordinary + ordinary + "POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 9999999\r\n\r\n")
            #expect(await connection.waitUntilClosed())
            let text = connection.received
            #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count == 3, "\(text)")
            let lastOK = text.range(of: "HTTP/1.1 200 OK", options: .backwards), refused = text.range(of: "HTTP/1.1 413 Payload Too Large")
            #expect(lastOK != nil && refused != nil, "\(text)")
            if let lastOK, let refused { #expect(lastOK.lowerBound < refused.lowerBound) }
            try await Self.stillServes(probe)
        }
    }

    @Test("a server whose limit is below an ordinary request refuses it with 413, naming the limit")
    func smallLimit() async throws {
        var limits = Self.limits()
        limits.maxRequestBytes = 64
        try await Self.withServer(limits) { probe in
            let outcome = try await probe.ordinary(Self.request)
            #expect(outcome.status == 413, "\(outcome)")
            #expect(outcome.error == "the request body is \(Self.request.utf8.count) bytes; this server takes at most 64 (--max-request-bytes)")
        }
    }
}
