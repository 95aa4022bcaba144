import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import SextantTestSupport
import ServiceLifecycle
import Testing
@testable import SextantServing

/// The model server's HTTP/1.1 layer on a real listening server, with raw connections:
/// routing, keep-alive, pipelining, framing of bodies, HTTP/1.0, and graceful shutdown.
@Suite struct ModelServerHTTPTests {
    static let request = ModelServerLimitsTests.request

    static func post(_ body: String, fields: String = "") -> String {
        "POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\(fields)\r\n\(body)"
    }

    /// The request with `"id": id`, so that its answer can be told from the others.
    static func identified(_ id: String) -> String {
        request.replacingOccurrences(of: #"{"inputs""#, with: #"{"id":"\#(id)","inputs""#)
    }

    /// The answers in `text`, split at their status lines.
    static func answers(_ text: String) -> [String] {
        text.components(separatedBy: "HTTP/1.").dropFirst().map { "HTTP/1." + $0 }
    }

    @Test("routes by method and path", arguments: [
        ("GET", "/v2/health/live", ModelRoute.ready), ("GET", "/v2/health/ready", .ready), ("GET", "/v2", .serverMetadata), ("GET", "/v2/", .serverMetadata),
        ("GET", "/v2/models/m", .modelMetadata), ("GET", "/v2/models/m/versions/7", .modelMetadata), ("GET", "/v2/models/m/ready", .ready),
        ("GET", "/v2/models/m/versions/7/ready", .ready), ("POST", "/v2/models/m/infer", .infer), ("POST", "/v2/models/m/versions/7/infer", .infer),
        ("POST", "/v2/models/m/infer?verbose=1", .infer), ("POST", "//v2/models/m/infer/", .infer),
        ("POST", "/v2/models/other/infer", .unknownModel("other")), ("GET", "/v2/models/mm", .unknownModel("mm")),
        ("POST", "/v2/models/m/versions/6/infer", .unknownVersion("6")),
        ("GET", "/v2/models/m/infer", .noEndpoint), ("POST", "/v2/models/m/ready", .noEndpoint), ("POST", "/v2/health/live", .noEndpoint),
        ("HEAD", "/v2/health/live", .noEndpoint), ("GET", "/v2/models", .noEndpoint), ("GET", "/v2/models/m/versions", .noEndpoint),
        ("GET", "/v2/models/m/versions/7/ready/x", .noEndpoint), ("GET", "/v3", .noEndpoint), ("GET", "/", .noEndpoint), ("GET", "*", .noEndpoint),
        ("GET", "/v2x", .noEndpoint), ("POST", "/v2/models/m/inference", .noEndpoint),
    ] as [(String, String, ModelRoute)])
    func routes(method: String, uri: String, route: ModelRoute) {
        #expect(ModelRoute.of(method: HTTPMethod(rawValue: method), uri: uri, name: Array("m".utf8), version: Array("7".utf8)) == route)
    }

    @Test("pipelined requests are answered in the order they came, on one connection")
    func pipelined() async throws {
        try await LoopbackModelServer.with(try ModelServerTests.server()) { port in
            let requests = Self.post(Self.identified("first")) + "GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n" + Self.post(Self.identified("second"))
                + "GET /v2/models/m HTTP/1.1\r\nHost: x\r\n\r\n" + Self.post(Self.identified("third"))
            let connection = try await RawHTTPConnection.open(port: port, sending: requests)
            #expect(await connection.waitFor { text, _ in Self.answers(text).count == 5 && text.contains(#""id":"third""#) })
            let answers = Self.answers(connection.received)
            #expect(answers.count == 5, "\(connection.received)")
            guard answers.count == 5 else { return }
            #expect(answers[0].contains(#""id":"first""#))
            #expect(answers[1].hasPrefix("HTTP/1.1 200 OK\r\n") && answers[1].contains("Content-Length: 0\r\n"))
            #expect(answers[2].contains(#""id":"second""#))
            #expect(answers[3].contains(#""platform":"sextant-logistic-regression""#), "\(answers[3])")
            #expect(answers[4].contains(#""id":"third""#))
            #expect(!connection.isClosed, "keep-alive: the connection stays open")
            await connection.close()
        }
    }

    @Test("keep-alive: a hundred requests one after another on one connection")
    func keepAlive() async throws {
        try await LoopbackModelServer.with(try ModelServerTests.server()) { port in
            let connection = try await RawHTTPConnection.open(port: port)
            for index in 1...100 {
                try await connection.send(Self.post(Self.identified("r\(index)")))
                #expect(await connection.waitFor { text, closed in closed || text.contains(#""id":"r\#(index)""#) }, "answer \(index)")
            }
            let answers = Self.answers(connection.received)
            #expect(answers.count == 100)
            #expect(answers.allSatisfy { $0.hasPrefix("HTTP/1.1 200 OK\r\n") && !$0.lowercased().contains("connection: close") })
            #expect(!connection.isClosed)
            await connection.close()
        }
    }

    @Test("Connection: close is answered, then the server closes; what was pipelined after it is not answered")
    func connectionClose() async throws {
        try await LoopbackModelServer.with(try ModelServerTests.server()) { port in
            let connection = try await RawHTTPConnection.open(port: port, sending: Self.post(Self.request, fields: "Connection: close\r\n")
                                                              + "GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await connection.waitUntilClosed())
            let answers = Self.answers(connection.received)
            #expect(answers.count == 1, "\(connection.received)")
            #expect(answers.first?.contains("\r\nConnection: close\r\n") == true)
            #expect(answers.first?.contains(#""model_version":"7""#) == true)
        }
    }

    @Test("a body that arrives a few bytes at a time, with Content-Length and chunked, is answered whole")
    func splitBody() async throws {
        try await LoopbackModelServer.with(try ModelServerTests.server()) { port in
            let body = Array(Self.identified("split").utf8)
            let connection = try await RawHTTPConnection.open(port: port, sending: "POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n")
            for start in stride(from: 0, to: body.count, by: 7) {
                try await connection.send(ByteBuffer(bytes: body[start..<min(start + 7, body.count)]))
                try await Task.sleep(for: .milliseconds(2))
            }
            #expect(await connection.waitFor { text, closed in closed || text.contains(#""id":"split""#) }, "\(connection.received)")
            #expect(connection.received.hasPrefix("HTTP/1.1 200 OK\r\n"))

            try await connection.send("POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            let chunked = Array(Self.identified("chunked").utf8)
            for start in stride(from: 0, to: chunked.count, by: 11) {
                let piece = chunked[start..<min(start + 11, chunked.count)]
                try await connection.send(ByteBuffer(string: String(piece.count, radix: 16) + "\r\n" + String(decoding: piece, as: UTF8.self) + "\r\n"))
                try await Task.sleep(for: .milliseconds(2))
            }
            try await connection.send("0\r\n\r\n")
            #expect(await connection.waitFor { text, closed in closed || text.contains(#""id":"chunked""#) }, "\(connection.received)")
            #expect(Self.answers(connection.received).map { $0.prefix(15) } == ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK"])
            await connection.close()
        }
    }

    @Test("unknown paths, wrong methods and HEAD are 404 with an error naming the request; the connection goes on")
    func notFound() async throws {
        try await LoopbackModelServer.with(try ModelServerTests.server()) { port in
            let requests = "GET /v2/models/m/infer HTTP/1.1\r\nHost: x\r\n\r\n" + "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                + "HEAD /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n" + "GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n"
            let connection = try await RawHTTPConnection.open(port: port, sending: requests)
            #expect(await connection.waitFor { text, closed in closed || Self.answers(text).count == 4 })
            let answers = Self.answers(connection.received)
            #expect(answers.count == 4, "\(connection.received)")
            guard answers.count == 4 else { return }
            #expect(answers[0].hasPrefix("HTTP/1.1 404 Not Found\r\n"))
            #expect(answers[0].hasSuffix(#"{"error":"no such endpoint GET /v2/models/m/infer; inference is POST /v2/models/m/infer"}"#), "\(answers[0])")
            #expect(answers[1].hasSuffix(#"{"error":"no such endpoint GET /metrics; inference is POST /v2/models/m/infer"}"#), "\(answers[1])")
            #expect(answers[2].hasPrefix("HTTP/1.1 404 Not Found\r\n") && answers[2].hasSuffix("\r\n\r\n"), "a HEAD answer has no body: \(answers[2])")
            #expect(answers[3].hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(answers.allSatisfy { $0.contains("\r\nServer: sextant-serve-model\r\n") && $0.contains("\r\nDate: ") })
            await connection.close()
        }
    }

    @Test("HTTP/1.0: answered in HTTP/1.0 and closed, unless it asks for keep-alive")
    func http10() async throws {
        try await LoopbackModelServer.with(try ModelServerTests.server()) { port in
            let plain = try await RawHTTPConnection.open(port: port, sending: "GET /v2/health/ready HTTP/1.0\r\n\r\n")
            #expect(await plain.waitUntilClosed())
            #expect(plain.received.hasPrefix("HTTP/1.0 200 OK\r\n"), "\(plain.received)")
            #expect(plain.received.contains("\r\nConnection: close\r\n"))

            let body = Self.request
            let kept = try await RawHTTPConnection.open(port: port, sending: "POST /v2/models/m/infer HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            #expect(await kept.waitFor { text, closed in closed || text.contains(#""model_version""#) })
            #expect(kept.received.hasPrefix("HTTP/1.0 200 OK\r\n"), "\(kept.received)")
            #expect(kept.received.contains("\r\nConnection: keep-alive\r\n"))
            try await kept.send("GET /v2/health/live HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(await kept.waitFor { text, closed in closed || Self.answers(text).count == 2 })
            #expect(!kept.isClosed)
            await kept.close()
        }
    }

    @Test("Expect: 100-continue gets 100 Continue, then the answer")
    func expectContinue() async throws {
        try await LoopbackModelServer.with(try ModelServerTests.server()) { port in
            let body = Self.request
            let connection = try await RawHTTPConnection.open(port: port, sending: "POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
            #expect(await connection.waitFor { text, closed in closed || text.contains("\r\n\r\n") })
            #expect(connection.received == "HTTP/1.1 100 Continue\r\n\r\n")
            try await connection.send(body)
            #expect(await connection.waitFor { text, closed in closed || text.contains(#""model_version""#) })
            #expect(connection.received.hasPrefix("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"), "\(connection.received)")
            await connection.close()
        }
    }

    @Test("on a connection given to serveHTTP (as the fuzz targets use it): pipelined requests arriving a byte at a time, answered in order")
    func embedded() throws {
        let channel = EmbeddedChannel()
        try ModelServerTests.server().serveHTTP(on: channel)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        let requests = Array((Self.post(Self.identified("one")) + "GET /v2/models/m/versions/7/ready HTTP/1.1\r\n\r\n" + Self.post(Self.identified("two"))).utf8)
        var received = ""
        for byte in requests {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
            while let answer = try channel.readOutbound(as: ByteBuffer.self) { received += String(buffer: answer) }
        }
        let answers = Self.answers(received)
        #expect(answers.count == 3, "\(received)")
        #expect(answers.first?.contains(#""id":"one""#) == true)
        #expect(answers.dropFirst().first?.hasPrefix("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n") == true)
        #expect(answers.last?.contains(#""id":"two""#) == true)
        #expect(channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("graceful shutdown: idle connections close, a request in progress is answered with Connection: close, new connections are refused")
    func gracefulShutdown() async throws {
        let server = try ModelServerTests.server()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = server.application(host: "127.0.0.1", port: 0, drainTime: .seconds(20), logger: Logger(label: "test")) { continuation.yield($0) }
        let services = ServiceGroup(configuration: .init(services: [application], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let idle = try await RawHTTPConnection.open(port: port, sending: "GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await idle.waitFor { text, _ in text.contains("\r\n\r\n") })
            let body = Array(Self.request.utf8)
            let busy = try await RawHTTPConnection.open(port: port, sending: ByteBuffer(string: "POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n")
                                                        .appending(body.prefix(10)))
            try await Task.sleep(for: .milliseconds(100))
            await services.triggerGracefulShutdown()
            #expect(await idle.waitUntilClosed(), "an idle keep-alive connection closes at once")
            #expect(!busy.isClosed, "a request in progress is let finish")
            try await busy.send(ByteBuffer(bytes: body.dropFirst(10)))
            #expect(await busy.waitUntilClosed())
            #expect(busy.received.hasPrefix("HTTP/1.1 200 OK\r\n") && busy.received.contains("\r\nConnection: close\r\n"), "\(busy.received)")
            try await group.waitForAll()
            await #expect(throws: (any Error).self) { _ = try await RawHTTPConnection.open(port: port) }
        }
    }
}

private extension ByteBuffer {
    func appending(_ bytes: some Sequence<UInt8>) -> ByteBuffer {
        var buffer = self
        buffer.writeBytes(bytes)
        return buffer
    }
}
