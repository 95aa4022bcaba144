import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SextantTestSupport
import SextantWire
import Testing
@testable import SextantGateway

/// Backends behind a proxy that keeps its route prefix in the request path (Ray Serve's,
/// DESIGN §12): every request a revision gets goes under its endpoint's path.
@Suite struct PathPrefixTests {
    static let inference = "/v2/models/fraud/infer"

    @Test("served and metadata requests go under the endpoint's path (a trailing / ignored); two models behind one proxy share its pooled connection")
    func servedUnderThePrefix() async throws {
        let serve = try await TestUpstream.start(.answer(status: 200, body: #"{"outputs":[]}"#))
        defer { Task { await serve.stop() } }
        let table = RoutingTable(generation: 1, models: [
            "fraud": ModelRoute(backends: [RouteBackend(revision: 3, version: 3, role: .stable, weight: 100, endpoints: ["http://127.0.0.1:\(serve.port)/fraud/r3/"])]),
            "churn": ModelRoute(backends: [RouteBackend(revision: 7, version: 7, role: .stable, weight: 100, endpoints: ["http://127.0.0.1:\(serve.port)/churn/r7"])]),
        ])
        try await withGateway(table) { _, base in
            let port = Int(base.split(separator: ":").last!)!
            let client = try await RawClient.connect(port: port)
            let call = { (model: String) in "POST /v2/models/\(model)/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}" }
            // Pipelined on one client connection: one event loop, one pool, one request at a time.
            let text = try await client.exchange(call("fraud") + call("churn") + call("fraud") + "GET /v2/models/churn HTTP/1.1\r\nHost: x\r\n\r\n",
                                                 until: { $0.components(separatedBy: "HTTP/1.1 200").count == 5 })
            #expect(text.components(separatedBy: "HTTP/1.1 200").count == 5, "\(text)")
            #expect(serve.targets == ["/fraud/r3/v2/models/fraud/infer", "/churn/r7/v2/models/churn/infer", "/fraud/r3/v2/models/fraud/infer",
                                      "/churn/r7/v2/models/churn"])
            #expect(serve.lastHead?.headers.first(name: "host") == "127.0.0.1:\(serve.port)")
            #expect(serve.connections == 1, "the pool is per host and port, whatever the path")
        }
    }

    @Test("an endpoint http://HOST:PORT/ is one without a path")
    func aBareSlashIsNoPrefix() async throws {
        let upstream = try await TestUpstream.start(.echo)
        defer { Task { await upstream.stop() } }
        let table = ProxyTests.table([RouteBackend(revision: 1, version: 1, role: .stable, weight: 100, endpoints: ["http://127.0.0.1:\(upstream.port)/"])])
        try await withGateway(table) { _, base in
            let answer = try await ProxyTests.infer(base, #"{"inputs":[1]}"#)
            #expect(answer.status == 200 && answer.text == #"{"inputs":[1]}"#)
            let query = try await ProxyTests.send(base + Self.inference + "?trace=1", body: .bytes(ByteBuffer(string: "{}")))
            #expect(query.status == 200)
            #expect(upstream.targets == [Self.inference, Self.inference + "?trace=1"])
        }
    }

    @Test("a mirror's copy goes under the mirror's path, and is never retried, even on a gateway error")
    func mirroredUnderThePrefix() async throws {
        let stable = try await TestUpstream.start(.answer(status: 200, body: MirrorTests.served))
        let shadow = try await TestUpstream.start(.answer(status: 503, body: #"{"error":"no replica"}"#))
        defer { Task { await stable.stop(); await shadow.stop() } }
        let mirror = "http://127.0.0.1:\(shadow.port)/fraud/r2"
        let table = ProxyTests.table([
            RouteBackend(revision: 1, version: 1, role: .stable, weight: 100, endpoints: ["http://127.0.0.1:\(stable.port)/fraud/r1"]),
            RouteBackend(revision: 2, version: 2, role: .shadow, weight: 0, endpoints: [mirror, mirror], mirrorPercent: 100),
        ])
        try await withGateway(table) { gateway, base in
            for _ in 0..<3 {
                let answer = try await ProxyTests.infer(base)
                #expect(answer.status == 200 && answer.text == MirrorTests.served && answer.revision == "1")
            }
            #expect(try await eventually {
                let counters = gateway.statistics().counters(model: "fraud", revision: 2)
                return counters.requests == 3 && counters.inFlight == 0
            })
            #expect(stable.targets == Array(repeating: "/fraud/r1" + Self.inference, count: 3))
            #expect(shadow.targets == Array(repeating: "/fraud/r2" + Self.inference, count: 3), "one copy each, not retried")
            #expect(gateway.statistics().counters(model: "fraud", revision: 2).errors == 3)
        }
    }
}
