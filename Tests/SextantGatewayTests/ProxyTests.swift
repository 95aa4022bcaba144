import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SextantWire
import SextantHTTP
import SextantTestSupport
import ServiceLifecycle
import Testing
@testable import SextantGateway

/// The inference listener against small servers on 127.0.0.1: streaming, framing, reuse of
/// connections, retries, timeouts and what clients get back.
@Suite struct ProxyTests {
    static func table(_ backends: [RouteBackend], header: HeaderRouteTarget? = nil) -> RoutingTable {
        RoutingTable(generation: 1, models: ["fraud": ModelRoute(backends: backends, headerRoute: header)])
    }

    static func stable(_ port: Int, revision: Int = 1, weight: Int = 100) -> RouteBackend {
        RouteBackend(revision: revision, version: revision, role: .stable, weight: weight, endpoints: loopbackEndpoints([port]))
    }

    struct Answer {
        var status: Int
        var body: ByteBuffer
        var headers: HTTPHeaders
        var text: String { String(buffer: body) }
        var revision: String? { headers.first(name: "X-Sextant-Revision") }
    }

    static func send(_ url: String, method: HTTPMethod = .POST, body: HTTPClientRequest.Body? = nil, headers: [(String, String)] = [],
                     client: HTTPClient = .shared, timeout: TimeAmount = .seconds(20)) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body { request.body = body }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, timeout: timeout)
        return Answer(status: Int(response.status.code), body: try await response.body.collect(upTo: 64 << 20), headers: response.headers)
    }

    static func infer(_ base: String, _ body: String = #"{"inputs":[]}"#, headers: [(String, String)] = []) async throws -> Answer {
        try await send(base + "/v2/models/fraud/infer", body: .bytes(ByteBuffer(string: body)), headers: headers)
    }

    @Test("which paths are a model's, and which of them are inference", arguments: [
        ("/v2/models/fraud/infer", "fraud", true), ("/v2/models/fraud/infer?x=1", "fraud", true), ("/v2/models/fraud", "fraud", false),
        ("/v2/models/fraud/ready", "fraud", false), ("/v2/models/fraud/versions/3/infer", "fraud", false), ("/v2/models/a-very-long-model-name/infer", "a-very-long-model-name", true),
        ("/v2/models/", nil, false), ("/v2/health/ready", nil, false), ("/v2/modelsx/fraud/infer", nil, false),
    ] as [(String, String?, Bool)])
    func modelPaths(uri: String, model: String?, inference: Bool) {
        let call = ProxyHandler.modelCall(uri)
        #expect(call?.model == model)
        #expect((call?.inference ?? false) == inference)
    }

    @Test("gateway-made answers: health, /metrics, unknown model 404, no server 503, other paths 404, all JSON errors")
    func gatewayAnswers() async throws {
        let table = RoutingTable(generation: 1, models: ["empty": ModelRoute(backends: [RouteBackend(revision: 1, version: 1, role: .stable, weight: 100, endpoints: loopbackEndpoints([]))])])
        try await withGateway(table) { _, base in
            #expect(try await Self.send(base + "/v2/health/live", method: .GET).status == 200)
            #expect(try await Self.send(base + "/v2/health/ready", method: .GET).status == 200)
            let metrics = try await Self.send(base + "/metrics", method: .GET)
            #expect(metrics.status == 200 && metrics.text.contains("sextant_gateway_routing_generation 1"))
            let unknown = try await Self.infer(base)
            #expect(unknown.status == 404)
            #expect(unknown.text == #"{"error":"unknown model fraud: no revision of it is routed here"}"#)
            let none = try await Self.send(base + "/v2/models/empty/infer", body: .bytes(ByteBuffer(string: "{}")))
            #expect(none.status == 503 && none.text.contains("no server of empty is ready"))
            let other = try await Self.send(base + "/v1/models", method: .GET)
            #expect(other.status == 404 && other.headers.first(name: "content-type") == "application/json" && other.text.hasPrefix(#"{"error":"no such endpoint"#))
        }
    }

    @Test("8 MiB both ways, byte for byte; Content-Length kept; a chunked request works; Host names the server")
    func largeBodiesStreamUntouched() async throws {
        let upstream = try await TestUpstream.start(.echo)
        defer { Task { await upstream.stop() } }
        let payload = ByteBuffer(bytes: (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) })
        // Deadlines far above a loaded CI machine's pace (it once took over 30 s for 8 MiB
        // in a debug build): this test is about bytes, not speed.
        try await withGateway(Self.table([Self.stable(upstream.port)]), timeout: .seconds(180), limits: HTTPLimits(bodyTimeout: .seconds(180))) { gateway, base in
            let sized = try await Self.send(base + "/v2/models/fraud/infer", body: .bytes(payload), timeout: .seconds(180))
            #expect(sized.status == 200)
            #expect(sized.body == payload)
            #expect(sized.revision == "1")
            #expect(sized.headers.first(name: "content-length") == String(8 << 20))
            #expect(upstream.lastHead?.headers.first(name: "content-length") == String(8 << 20))
            #expect(upstream.lastHead?.headers.first(name: "host") == "127.0.0.1:\(upstream.port)")

            let chunks = stride(from: 0, to: payload.readableBytes, by: 100_000).map { payload.getSlice(at: $0, length: min(100_000, payload.readableBytes - $0))! }
            let (stream, feed) = AsyncStream.makeStream(of: ByteBuffer.self)
            for chunk in chunks { feed.yield(chunk) }
            feed.finish()
            let streamed = try await Self.send(base + "/v2/models/fraud/infer", body: .stream(stream, length: .unknown), timeout: .seconds(180))
            #expect(streamed.status == 200)
            #expect(streamed.body == payload)
            #expect(upstream.lastHead?.headers.first(name: "transfer-encoding") == "chunked")
            #expect(upstream.lastHead?.headers.first(name: "content-length") == nil)
            let counters = gateway.statistics().counters(model: "fraud", revision: 1)
            #expect(counters.requests == 2 && counters.errors == 0 && counters.inFlight == 0)
        }
    }

    @Test("keep-alive: the server sees fewer connections than requests; metadata calls are proxied, not counted")
    func connectionsAreReused() async throws {
        let upstream = try await TestUpstream.start(.answer(status: 200, body: #"{"outputs":[]}"#))
        defer { Task { await upstream.stop() } }
        try await withGateway(Self.table([Self.stable(upstream.port)])) { gateway, base in
            for _ in 0..<20 {
                let answer = try await Self.infer(base)
                #expect(answer.status == 200)
            }
            let metadata = try await Self.send(base + "/v2/models/fraud", method: .GET)
            #expect(metadata.status == 200)
            #expect(upstream.requests == 21)
            #expect(upstream.connections < 21)
            #expect(upstream.connections <= 2, "sequential requests from one client reuse one connection per event loop")
            #expect(gateway.statistics().counters(model: "fraud", revision: 1).requests == 20)
        }
    }

    @Test("a refused port: the request is answered by the other revision, and the refusing one counts an error")
    func refusedPortFailsOver() async throws {
        let upstream = try await TestUpstream.start(.answer(status: 200, body: #"{"outputs":[]}"#))
        defer { Task { await upstream.stop() } }
        let refusing = try RefusingPort()
        defer { withExtendedLifetime(refusing) {} }
        let closed = refusing.port
        let table = Self.table([Self.stable(upstream.port, revision: 1, weight: 50),
                                RouteBackend(revision: 2, version: 2, role: .candidate, weight: 50, endpoints: loopbackEndpoints([closed]))])
        try await withGateway(table) { gateway, base in
            for _ in 0..<10 {
                let answer = try await Self.infer(base)
                #expect(answer.status == 200)
                #expect(answer.revision == "1")
            }
            let statistics = gateway.statistics()
            #expect(statistics.counters(model: "fraud", revision: 2).errors == 5)
            #expect(statistics.counters(model: "fraud", revision: 2).requests == 5)
            #expect(statistics.counters(model: "fraud", revision: 1).requests == 10)
            #expect(statistics.counters(model: "fraud", revision: 1).errors == 0)
            #expect(statistics.counters(model: "fraud", revision: 2).inFlight == 0)
        }
    }

    @Test("a pooled connection its server closed is retried on a fresh one, and is no error of the revision")
    func closedPooledConnectionIsRetried() async throws {
        let upstream = try await TestUpstream.start(.oneAnswerPerConnection(body: #"{"outputs":[]}"#))
        defer { Task { await upstream.stop() } }
        try await withGateway(Self.table([Self.stable(upstream.port)])) { gateway, base in
            for _ in 0..<10 {
                let answer = try await Self.infer(base)
                #expect(answer.status == 200, "\(answer.text)")
            }
            #expect(upstream.connections == 10)
            #expect(upstream.requests > 10, "some requests reached a pooled connection the server then closed")
            let counters = gateway.statistics().counters(model: "fraud", revision: 1)
            #expect(counters.requests == 10 && counters.errors == 0 && counters.inFlight == 0)
        }
    }

    @Test("servers that do not answer: 502 naming the revision that failed last; a request over 1 MiB is not retried")
    func badGateway() async throws {
        let closing = try await TestUpstream.start(.closeWithoutAnswer)
        defer { Task { await closing.stop() } }
        let refusing = try RefusingPort()
        defer { withExtendedLifetime(refusing) {} }
        let other = refusing.port
        let table = Self.table([Self.stable(closing.port, revision: 3, weight: 100),
                                RouteBackend(revision: 4, version: 4, role: .candidate, weight: 0, endpoints: loopbackEndpoints([other]))])
        try await withGateway(table) { gateway, base in
            let answer = try await Self.infer(base)
            #expect(answer.status == 502)
            #expect(answer.revision == "4", "r3 closed without an answer; retried once on r4, which refused")
            #expect(answer.text.hasPrefix(#"{"error":"r4 of fraud did not answer: "#))
            let large = try await Self.send(base + "/v2/models/fraud/infer", body: .bytes(ByteBuffer(repeating: 0x20, count: 2 << 20)))
            #expect(large.status == 502)
            #expect(large.revision == "3", "too large to keep for a retry")
            #expect(closing.requests == 2)
            let statistics = gateway.statistics()
            #expect(statistics.counters(model: "fraud", revision: 3).errors == 2)
            #expect(statistics.counters(model: "fraud", revision: 4).errors == 1)
        }
    }

    @Test("no answer in time: 504 naming the revision, an error, and a latency sample at the time waited")
    func timeoutIsAnErrorAndASample() async throws {
        let upstream = try await TestUpstream.start(.hang)
        defer { Task { await upstream.stop() } }
        try await withGateway(Self.table([Self.stable(upstream.port, revision: 2)]), timeout: .milliseconds(300)) { gateway, base in
            let answer = try await Self.infer(base)
            #expect(answer.status == 504)
            #expect(answer.revision == "2")
            #expect(answer.text.contains("r2 of fraud did not answer: no answer within 0.3 s"))
            let counters = gateway.statistics().counters(model: "fraud", revision: 2)
            #expect(counters.requests == 1 && counters.errors == 1 && counters.inFlight == 0)
            #expect(counters.answered == 1, "the timeout is in the latency histogram")
            #expect((counters.percentile(100) ?? 0) >= 300_000)
            #expect(upstream.requests == 1, "never retried after a timeout")
        }
    }

    @Test("a chunked answer (extensions, trailers) reaches HTTP/1.1 clients chunked, whole; hop-by-hop fields and the ones Connection names are dropped")
    func chunkedAnswer() async throws {
        let answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive, X-Private\r\n"
            + "X-Private: secret\r\nKeep-Alive: timeout=5\r\nX-Model: m\r\n\r\n"
            + "5;ext=1\r\n{\"out\r\n7\r\nputs\":[\r\n2\r\n]}\r\n0\r\nX-Trailer: t\r\n\r\n"
        let upstream = try await RawUpstream.start(answer: answer)
        defer { Task { await upstream.stop() } }
        try await withGateway(Self.table([Self.stable(upstream.port)])) { gateway, base in
            for _ in 0..<3 {
                let reply = try await Self.infer(base)
                #expect(reply.status == 200)
                #expect(reply.text == #"{"outputs":[]}"#)
                #expect(reply.headers.first(name: "transfer-encoding") == "chunked")
                #expect(reply.headers.first(name: "x-model") == "m")
                #expect(reply.headers.first(name: "x-private") == nil && reply.headers.first(name: "keep-alive") == nil)
                #expect(reply.revision == "1")
            }
            #expect(upstream.connections == 1, "a chunked answer read to its end leaves the connection reusable")
            #expect(gateway.statistics().counters(model: "fraud", revision: 1).requests == 3)
        }
    }

    @Test("an answer without length ends with its connection; one with Connection: close is not reused")
    func answersThatEndConnections() async throws {
        let unframed = try await RawUpstream.start(answer: "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"outputs\":[1]}", close: true)
        let closing = try await RawUpstream.start(answer: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}", close: true)
        defer { Task { await unframed.stop(); await closing.stop() } }
        let table = RoutingTable(generation: 1, models: [
            "fraud": ModelRoute(backends: [Self.stable(unframed.port)]), "churn": ModelRoute(backends: [Self.stable(closing.port)]),
        ])
        try await withGateway(table) { _, base in
            for _ in 0..<3 {
                let reply = try await Self.infer(base)
                #expect(reply.status == 200 && reply.text == #"{"outputs":[1]}"#)
                let other = try await Self.send(base + "/v2/models/churn/infer", body: .bytes(ByteBuffer(string: "{}")))
                #expect(other.status == 200 && other.text == "{}")
            }
            #expect(unframed.connections == 3 && closing.connections == 3)
        }
    }

    @Test("HEAD: the answer's length passes, no body follows, and the connection is reused")
    func headRequests() async throws {
        let upstream = try await RawUpstream.start(answer: "HTTP/1.1 200 OK\r\nContent-Length: 120\r\n\r\n")
        defer { Task { await upstream.stop() } }
        try await withGateway(Self.table([Self.stable(upstream.port)])) { _, base in
            for _ in 0..<2 {
                let reply = try await Self.send(base + "/v2/models/fraud", method: .HEAD)
                #expect(reply.status == 200)
                #expect(reply.headers.first(name: "content-length") == "120")
                #expect(reply.body.readableBytes == 0)
            }
            #expect(upstream.connections == 1)
        }
    }

    @Test("keep-alive and pipelined requests from one client connection are answered in order")
    func pipelining() async throws {
        let upstream = try await TestUpstream.start(.echo)
        defer { Task { await upstream.stop() } }
        try await withGateway(Self.table([Self.stable(upstream.port)])) { _, base in
            let port = Int(base.split(separator: ":").last!)!
            let socket = try await RawClient.connect(port: port)
            var requests = ""
            for index in 0..<3 {
                let body = "{\"n\":\(index)}"
                requests += "POST /v2/models/fraud/infer HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            }
            requests += "GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n"
            let text = try await socket.exchange(requests, until: { $0.components(separatedBy: "HTTP/1.1 200").count == 5 })
            let bodies = ["{\"n\":0}", "{\"n\":1}", "{\"n\":2}"].map { text.range(of: $0)?.lowerBound }
            #expect(bodies.allSatisfy { $0 != nil })
            #expect(bodies[0]! < bodies[1]! && bodies[1]! < bodies[2]!)
            #expect(text.lowercased().contains("x-sextant-revision: 1"))
        }
    }

    @Test("pipelined requests get chunked answers whole and in order (each answer's head, chunks and last chunk written as one buffer)")
    func pipelinedChunkedAnswers() async throws {
        let answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\n{\"out\r\n7\r\nputs\":[\r\n2\r\n]}\r\n0\r\n\r\n"
        let upstream = try await RawUpstream.start(answer: answer)
        defer { Task { await upstream.stop() } }
        try await withGateway(Self.table([Self.stable(upstream.port)])) { _, base in
            let port = Int(base.split(separator: ":").last!)!
            let socket = try await RawClient.connect(port: port)
            let request = "POST /v2/models/fraud/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
            let text = try await socket.exchange(String(repeating: request, count: 3) + "GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n",
                                                 until: { $0.components(separatedBy: "HTTP/1.1 200").count == 5 })
            let chunked = "Transfer-Encoding: chunked\r\nX-Sextant-Revision: 1\r\n"
            let one = "5\r\n{\"out\r\n7\r\nputs\":[\r\n2\r\n]}\r\n0\r\n\r\n"
            let answers = text.components(separatedBy: "HTTP/1.1 200 OK\r\n").dropFirst()
            #expect(answers.count == 4, "\(text)")
            #expect(answers.prefix(3).allSatisfy { $0.contains(chunked) && $0.hasSuffix("\r\n\r\n" + one) }, "\(text)")
            #expect(answers.last?.hasSuffix("Content-Length: 0\r\n\r\n") == true, "the health answer comes last: \(text)")
            #expect(upstream.connections == 1)
        }
    }
}

/// Runs an in-process gateway's inference listener on a free port for `body`.
func withGateway(_ table: RoutingTable, timeout: Duration = .seconds(30), mirrorLimit: Int = 64, limits: HTTPLimits = HTTPLimits(),
                 _ body: (Gateway, String) async throws -> Void) async throws {
    let gateway = Gateway(routes: table, token: "token", timeout: timeout, mirrorLimit: mirrorLimit, limits: limits, logger: Logger(label: "test"))
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await gateway.inferenceServer(host: "127.0.0.1", port: 0) { continuation.yield($0) }.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { return }
        do {
            try await body(gateway, "http://127.0.0.1:\(port)")
        } catch {
            group.cancelAll()
            throw error
        }
        group.cancelAll()
        while let _ = try? await group.next() {}
    }
}


/// The inference listener as a service: a graceful shutdown lets the request in flight
/// finish, then the service returns.
@Suite struct InferenceServerTests {
    @Test("graceful shutdown: no new connections, the answer in flight is delivered, then run() returns")
    func gracefulShutdownFinishesInFlightRequests() async throws {
        let upstream = try await TestUpstream.start(.answer(status: 200, body: #"{"outputs":[]}"#, delayMilliseconds: 300))
        defer { Task { await upstream.stop() } }
        let gateway = Gateway(routes: ProxyTests.table([ProxyTests.stable(upstream.port)]), token: "t", logger: Logger(label: "test"))
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = gateway.inferenceServer(host: "127.0.0.1", port: 0) { continuation.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [server], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let base = "http://127.0.0.1:\(port)"
            // A client of its own, whose connection is not shared with other tests.
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            async let answer = ProxyTests.send(base + "/v2/models/fraud/infer", body: .bytes(ByteBuffer(string: "{}")), client: client)
            #expect(try await eventually { upstream.requests == 1 })
            await group.triggerGracefulShutdown()
            let delivered = try await answer
            #expect(delivered.status == 200 && delivered.text == #"{"outputs":[]}"#)
            try await tasks.next()
            try await client.shutdown()
            #expect(gateway.statistics().counters(model: "fraud", revision: 1).inFlight == 0)
        }
    }
}
