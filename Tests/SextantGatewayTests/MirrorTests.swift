import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SextantWire
import SextantTestSupport
import Testing
@testable import SextantGateway

/// Mirrors through the inference listener: what clients get never depends on the mirror,
/// and the mirror's answers are counted and compared.
@Suite struct MirrorTests {
    static let served = #"{"model_name":"fraud","model_version":"1","outputs":[{"name":"predict","datatype":"BOOL","shape":[2],"data":[true,false]},{"name":"predict_proba","datatype":"FP64","shape":[2,2],"data":[[0.2,0.8],[0.9,0.1]]}]}"#

    static func table(stable: Int, mirror: Int, percent: Int = 100, header: Bool = false) -> RoutingTable {
        RoutingTable(generation: 1, models: ["fraud": ModelRoute(
            backends: [RouteBackend(revision: 1, version: 1, role: .stable, weight: 100, endpoints: loopbackEndpoints([stable])),
                       RouteBackend(revision: 2, version: 2, role: .shadow, weight: 0, endpoints: loopbackEndpoints([mirror]), mirrorPercent: percent)],
            headerRoute: header ? HeaderRouteTarget(name: "X-Sextant-Shadow", value: "yes", revision: 2) : nil)])
    }

    enum Mirror: String, CaseIterable, Sendable {
        case slowAndClose, failing, otherLabels, refusing
    }

    @Test("clients get the served bytes and revision whatever the mirror does; its answers are counted and compared", arguments: Mirror.allCases)
    func mirrorsNeverChangeAnswers(_ kind: Mirror) async throws {
        let stable = try await TestUpstream.start(.answer(status: 200, body: Self.served))
        defer { Task { await stable.stop() } }
        let mirror: TestUpstream?
        switch kind {
        case .slowAndClose:
            mirror = try await TestUpstream.start(.answer(status: 200, body: Self.served.replacingOccurrences(of: "[[0.2,0.8],[0.9,0.1]]", with: "[[0.25,0.75],[0.9,0.1]]"),
                                                          delayMilliseconds: 200))
        case .failing:
            mirror = try await TestUpstream.start(.answer(status: 500, body: #"{"error":"broken"}"#))
        case .otherLabels:
            mirror = try await TestUpstream.start(.answer(status: 200, body: Self.served.replacingOccurrences(of: "[true,false]", with: "[false,false]")))
        case .refusing:
            mirror = nil
        }
        defer { if let mirror { Task { await mirror.stop() } } }
        let refusing = try RefusingPort()
        defer { withExtendedLifetime(refusing) {} }
        let mirrorPort = mirror?.port ?? refusing.port
        try await withGateway(Self.table(stable: stable.port, mirror: mirrorPort)) { gateway, base in
            for _ in 0..<4 {
                let answer = try await ProxyTests.infer(base)
                #expect(answer.status == 200)
                #expect(answer.text == Self.served, "byte for byte the stable server's answer")
                #expect(answer.revision == "1")
                #expect(answer.headers.first(name: "content-length") == String(Self.served.utf8.count))
            }
            let done = try await eventually {
                let counters = gateway.statistics().counters(model: "fraud", revision: 2)
                return counters.requests == 4 && counters.inFlight == 0 && (kind == .failing || kind == .refusing || counters.agreement?.compared == 4)
            }
            #expect(done)
            let statistics = gateway.statistics()
            let served = statistics.counters(model: "fraud", revision: 1), shadow = statistics.counters(model: "fraud", revision: 2)
            #expect(served.requests == 4 && served.errors == 0 && served.inFlight == 0)
            switch kind {
            case .slowAndClose:
                #expect(shadow.errors == 0 && shadow.answered == 4)
                #expect((shadow.percentile(50) ?? 0) >= 200_000, "the mirror's latency is its own")
                let agreement = try #require(shadow.agreement)
                #expect(agreement.labels == 8 && agreement.equalLabels == 8)
                #expect(agreement.scores == 16)
                #expect(abs(agreement.scoreDifference - 4 * 0.1) < 1e-9)
            case .failing:
                #expect(shadow.errors == 4)
                #expect(shadow.agreement?.compared ?? 0 == 0, "a 5xx answer is not compared")
            case .otherLabels:
                let agreement = try #require(shadow.agreement)
                #expect(agreement.compared == 4 && agreement.labels == 8 && agreement.equalLabels == 4)
                #expect(agreement.scoreDifference == 0)
            case .refusing:
                #expect(shadow.errors == 4 && shadow.answered == 0)
            }
            #expect(stable.requests == 4, "a failing mirror is never retried on the served revision")
            let metrics = try await ProxyTests.send(base + "/metrics", method: .GET)
            #expect(metrics.text.contains(#"sextant_gateway_mirrored_requests_total{model="fraud",revision="2"} 4"#))
            #expect(metrics.text.contains(#"sextant_gateway_in_flight{model="fraud",revision="2"} 0"#))
        }
    }

    @Test("promtool accepts /metrics with a mirror's counters and agreement", .enabled(if: PeerTool.promtool.isInstalled, Comment(rawValue: PeerTool.promtool.missing)))
    func mirrorMetricsPassPromtool() async throws {
        let stable = try await TestUpstream.start(.answer(status: 200, body: Self.served))
        let mirror = try await TestUpstream.start(.answer(status: 200, body: Self.served.replacingOccurrences(of: "[true,false]", with: "[false,false]")))
        defer { Task { await stable.stop(); await mirror.stop() } }
        try await withGateway(Self.table(stable: stable.port, mirror: mirror.port)) { gateway, base in
            for _ in 0..<4 { _ = try await ProxyTests.infer(base) }
            #expect(try await eventually { gateway.statistics().counters(model: "fraud", revision: 2).agreement?.compared == 4 })
            let metrics = try await ProxyTests.send(base + "/metrics", method: .GET)
            let checked = try await PeerTool.checkMetrics(metrics.text)
            #expect(checked.status == 0, "promtool: \(checked.stdout)\(checked.stderr)")
        }
    }

    @Test("a share of mirrorPercent: exactly one request in ten at 10%")
    func mirrorShare() async throws {
        let stable = try await TestUpstream.start(.answer(status: 200, body: Self.served))
        let mirror = try await TestUpstream.start(.answer(status: 200, body: Self.served))
        defer { Task { await stable.stop(); await mirror.stop() } }
        try await withGateway(Self.table(stable: stable.port, mirror: mirror.port, percent: 10)) { gateway, base in
            for _ in 0..<30 { _ = try await ProxyTests.infer(base) }
            let metadata = try await ProxyTests.send(base + "/v2/models/fraud", method: .GET)
            #expect(metadata.status == 200)
            #expect(try await eventually { gateway.statistics().counters(model: "fraud", revision: 2).agreement?.compared == 3 })
            #expect(mirror.requests == 3, "metadata calls are not mirrored")
        }
    }

    @Test("beyond the cap of mirrors in flight nothing is sent and the copy is counted as dropped")
    func mirrorCap() async throws {
        let stable = try await TestUpstream.start(.answer(status: 200, body: Self.served))
        let mirror = try await TestUpstream.start(.hang)
        defer { Task { await stable.stop(); await mirror.stop() } }
        // The timeout ends the two hanging copies; long enough that a busy machine sends all
        // five requests before it (a loaded CI machine once took more than 10 s for them).
        try await withGateway(Self.table(stable: stable.port, mirror: mirror.port), timeout: .seconds(30), mirrorLimit: 2) { gateway, base in
            for _ in 0..<5 {
                let answer = try await ProxyTests.infer(base)
                #expect(answer.status == 200 && answer.revision == "1")
            }
            let during = gateway.statistics().counters(model: "fraud", revision: 2)
            #expect(during.agreement?.dropped == 3)
            #expect(during.inFlight == 2)
            #expect(try await eventually(timeout: .seconds(90)) { gateway.statistics().counters(model: "fraud", revision: 2).inFlight == 0 })
            let after = gateway.statistics().counters(model: "fraud", revision: 2)
            #expect(after.requests == 2 && after.errors == 2, "the two sent timed out")
            #expect(after.answered == 2, "timeouts are latency samples")
            #expect(mirror.requests == 2)
        }
    }

    @Test("the header route reaches a weight-0 shadow, counts as its sample and is not mirrored to it")
    func headerRouteToShadow() async throws {
        let stable = try await TestUpstream.start(.answer(status: 200, body: Self.served))
        let shadow = try await TestUpstream.start(.answer(status: 200, body: #"{"outputs":[]}"#))
        defer { Task { await stable.stop(); await shadow.stop() } }
        try await withGateway(Self.table(stable: stable.port, mirror: shadow.port, header: true)) { gateway, base in
            let answer = try await ProxyTests.infer(base, headers: [("X-Sextant-Shadow", "yes")])
            #expect(answer.revision == "2")
            #expect(answer.text == #"{"outputs":[]}"#)
            let statistics = gateway.statistics()
            #expect(statistics.counters(model: "fraud", revision: 2).requests == 1)
            #expect(statistics.counters(model: "fraud", revision: 1).requests == 0)
            #expect(shadow.requests == 1 && stable.requests == 0)
        }
    }
}
