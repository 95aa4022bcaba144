import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SextantTestSupport
import SextantWire
import Testing
@testable import SextantGateway

/// Envoy's `retry_on: 5xx` less 501 and 505: a 500, 502, 503 or 504 — what a proxy in front
/// of the model servers (Ray Serve's) answers when a replica died or none is available — is
/// retried once on another replica or revision, like a failure before any answer, while
/// nothing of it has reached the client.
@Suite struct GatewayErrorRetryTests {
    static let ok = #"{"outputs":[]}"#
    static let inference = "/fraud/r3/v2/models/fraud/infer"

    /// Revision 3 with two replicas behind path prefixes, `first` before `second` in turn.
    static func table(first: Int, second: Int) -> RoutingTable {
        ProxyTests.table([RouteBackend(revision: 3, version: 3, role: .stable, weight: 100,
                                       endpoints: ["http://127.0.0.1:\(first)/fraud/r3", "http://127.0.0.1:\(second)/fraud/r3"])])
    }

    static func retries(_ gateway: Gateway, revision: Int) -> String? {
        let prefix = "sextant_gateway_retries_total{model=\"fraud\",revision=\"\(revision)\"} "
        return gateway.prometheus().split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    enum Failure: String, CaseIterable, Sendable {
        case internalError, badGateway, unavailable, timeout, closed

        var behavior: TestUpstream.Behavior {
            switch self {
            case .internalError: .answer(status: 500, body: "Internal Server Error")
            case .badGateway: .answer(status: 502, body: #"{"error":"replica died"}"#)
            case .unavailable: .answer(status: 503, body: #"{"error":"no replica"}"#)
            case .timeout: .answer(status: 504, body: #"{"error":"timed out"}"#)
            case .closed: .closeWithoutAnswer
            }
        }
    }

    @Test("a replica's 500, 502, 503, 504 or closed connection: the other replica answers under the same prefix, the client gets its 200, the retry is counted",
          arguments: Failure.allCases)
    func retriedOnTheOtherReplica(_ failure: Failure) async throws {
        let failing = try await TestUpstream.start(failure.behavior)
        let answering = try await TestUpstream.start(.answer(status: 200, body: Self.ok))
        defer { Task { await failing.stop(); await answering.stop() } }
        try await withGateway(Self.table(first: failing.port, second: answering.port)) { gateway, base in
            for _ in 0..<4 {
                let answer = try await ProxyTests.infer(base)
                #expect(answer.status == 200 && answer.text == Self.ok && answer.revision == "3")
            }
            #expect(failing.targets == Array(repeating: Self.inference, count: 4), "each request tried the first replica first")
            #expect(answering.targets == Array(repeating: Self.inference, count: 4))
            #expect(failing.connections == 4, "a retried answer's connection is closed, never pooled")
            let counters = gateway.statistics().counters(model: "fraud", revision: 3)
            #expect(counters.requests == 8 && counters.errors == 4 && counters.inFlight == 0)
            #expect(Self.retries(gateway, revision: 3) == "4")
        }
    }

    @Test("a 501 is an answer about the protocol, which every server would repeat: it reaches the client as it came, not retried")
    func notImplementedPasses() async throws {
        let failing = try await TestUpstream.start(.answer(status: 501, body: #"{"error":"cannot take this input"}"#))
        let answering = try await TestUpstream.start(.answer(status: 200, body: Self.ok))
        defer { Task { await failing.stop(); await answering.stop() } }
        try await withGateway(Self.table(first: failing.port, second: answering.port)) { gateway, base in
            let answer = try await ProxyTests.infer(base)
            #expect(answer.status == 501 && answer.text == #"{"error":"cannot take this input"}"# && answer.revision == "3")
            #expect(answering.requests == 0)
            #expect(Self.retries(gateway, revision: 3) == "0")
            #expect(gateway.statistics().counters(model: "fraud", revision: 3).errors == 1)
        }
    }

    @Test("a 503 from the revision the retry went to reaches the client as it came")
    func aSecondGatewayErrorPasses() async throws {
        let first = try await TestUpstream.start(.answer(status: 503, body: #"{"error":"first"}"#))
        let second = try await TestUpstream.start(.answer(status: 503, body: #"{"error":"second"}"#))
        defer { Task { await first.stop(); await second.stop() } }
        let table = ProxyTests.table([
            RouteBackend(revision: 1, version: 1, role: .stable, weight: 100, endpoints: ["http://127.0.0.1:\(first.port)/fraud/r1"]),
            RouteBackend(revision: 2, version: 2, role: .candidate, weight: 0, endpoints: ["http://127.0.0.1:\(second.port)/fraud/r2"]),
        ])
        try await withGateway(table) { gateway, base in
            let answer = try await ProxyTests.infer(base)
            #expect(answer.status == 503 && answer.text == #"{"error":"second"}"# && answer.revision == "2")
            #expect(first.requests == 1 && second.requests == 1, "retried once, no more")
            #expect(second.targets == ["/fraud/r2/v2/models/fraud/infer"])
            let statistics = gateway.statistics()
            #expect(statistics.counters(model: "fraud", revision: 1).errors == 1 && statistics.counters(model: "fraud", revision: 2).errors == 1)
            #expect(Self.retries(gateway, revision: 2) == "1")
        }
    }

    @Test("a request over the retry limit is not kept: its 503 reaches the client as it came")
    func largeRequestsAreNotRetried() async throws {
        let failing = try await TestUpstream.start(.answer(status: 503, body: #"{"error":"no replica"}"#))
        let answering = try await TestUpstream.start(.answer(status: 200, body: Self.ok))
        defer { Task { await failing.stop(); await answering.stop() } }
        try await withGateway(Self.table(first: failing.port, second: answering.port)) { gateway, base in
            let body = ByteBuffer(repeating: 0x20, count: ProxyExchange.retryLimit + 1)
            let answer = try await ProxyTests.send(base + "/v2/models/fraud/infer", body: .bytes(body))
            #expect(answer.status == 503 && answer.text == #"{"error":"no replica"}"# && answer.revision == "3")
            #expect(answer.headers.first(name: "content-type") == "application/json")
            #expect(answering.requests == 0)
            #expect(Self.retries(gateway, revision: 3) == "0")
        }
    }
}
