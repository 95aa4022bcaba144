import Foundation
import SextantWire
import SextantTestSupport
import Testing
@testable import SextantGateway

/// The mirror choice, the comparison of answers and the counters, without sockets.
@Suite struct AgreementTests {
    static func table(percent: Int) -> RouteTable {
        RouteTable(RoutingTable(generation: 1, models: ["fraud": ModelRoute(
            backends: [RouteBackend(revision: 1, version: 1, role: .stable, weight: 100, endpoints: loopbackEndpoints([9000])),
                       RouteBackend(revision: 2, version: 2, role: .shadow, weight: 0, endpoints: loopbackEndpoints([9100]), mirrorPercent: percent)],
            headerRoute: HeaderRouteTarget(name: "X-Shadow", value: "1", revision: 2))]))
    }

    @Test("mirrors get exactly their share, spread evenly", arguments: [10, 50, 100, 33])
    func mirrorShareIsExact(percent: Int) {
        var table = Self.table(percent: percent)
        var mirrored = 0
        for index in 0..<1000 {
            let target = table.choose(model: "fraud", header: { _ in nil })!
            #expect(target.revision == 1, "a shadow never serves weighted traffic")
            let mirrors = table.mirrors(model: "fraud", servedBy: target.revision)
            mirrored += mirrors.count
            #expect(mirrors.allSatisfy { $0 == RouteTable.Target(revision: 2, port: 9100) })
            if percent == 10 && index % 10 == 9 { #expect(mirrored == (index + 1) / 10) }
        }
        #expect(mirrored == 1000 * percent / 100)
    }

    @Test("requests the mirror revision serves itself (header route) are not mirrored, and do not advance its share")
    func noMirrorOfItself() {
        var table = Self.table(percent: 50)
        let header: (String) -> String? = { $0 == "X-Shadow" ? "1" : nil }
        for _ in 0..<10 {
            let target = table.choose(model: "fraud", header: header)!
            #expect(target.revision == 2)
            #expect(table.mirrors(model: "fraud", servedBy: target.revision).isEmpty)
        }
        #expect(table.mirrors(model: "fraud", servedBy: 1).isEmpty, "the share starts from nothing")
        #expect(table.mirrors(model: "fraud", servedBy: 1).count == 1)
    }

    @Test("a retry never lands on a shadow: it answers clients only through the header route")
    func retriesSkipMirrors() {
        var table = Self.table(percent: 100)
        #expect(table.choose(model: "fraud", header: { _ in nil }, excluding: RouteTable.Target(revision: 1, port: 9000)) == nil)
    }

    static let served = #"{"outputs":[{"name":"predict","datatype":"INT64","shape":[3],"data":[1,0,2]},{"name":"predict_proba","datatype":"FP64","shape":[3,1],"data":[[0.5],[0.25],[1.0]]},{"name":"label","datatype":"BYTES","shape":[1],"data":["yes"]}]}"#

    @Test("labels count equal elements, scores sum absolute differences, outputs matched by name")
    func comparison() throws {
        let mirror = #"{"model_name":"m","outputs":[{"name":"label","datatype":"BYTES","shape":[1],"data":["no"]},{"name":"predict_proba","datatype":"FP64","shape":[3,1],"data":[0.75,0.25,0.5]},{"name":"predict","datatype":"INT64","shape":[3],"data":[1,1,2]}]}"#
        let comparison = try #require(AnswerComparison(served: Array(Self.served.utf8), mirror: Array(mirror.utf8)))
        #expect(comparison == AnswerComparison(labels: 4, equalLabels: 2, scores: 3, scoreDifference: 0.75))
    }

    @Test("a mismatched shape or a missing output: its labels count as different, its scores are left out")
    func mismatchedShapes() throws {
        let mirror = #"{"outputs":[{"name":"predict","datatype":"INT64","shape":[2],"data":[1,0]},{"name":"predict_proba","datatype":"FP64","shape":[2],"data":[0.5,0.25]}]}"#
        let comparison = try #require(AnswerComparison(served: Array(Self.served.utf8), mirror: Array(mirror.utf8)))
        #expect(comparison == AnswerComparison(labels: 4, equalLabels: 0, scores: 0, scoreDifference: 0))
    }

    @Test("non-JSON, binary-extension and output-less answers are not compared", arguments: [
        "not json", #"{"error":"x"}"#, "{\"outputs\":[{\"name\":\"predict\",\"datatype\":\"BOOL\",\"shape\":[1],\"parameters\":{\"binary_data_size\":1}}]}\u{1}",
    ])
    func notCompared(_ mirror: String) {
        #expect(AnswerComparison(served: Array(Self.served.utf8), mirror: Array(mirror.utf8)) == nil)
    }

    @Test("a timeout is an error and a latency sample at the time waited; a refused request has no latency")
    func timeoutsAreSamples() {
        let counters = TrafficCounters()
        counters.begin(model: "fraud", revision: 1)
        counters.begin(model: "fraud", revision: 1)
        counters.begin(model: "fraud", revision: 1)
        #expect(counters.snapshot().first?.inFlight == 3)
        counters.finish(model: "fraud", revision: 1, .timedOut(microseconds: 30_000_000), counted: true)
        counters.finish(model: "fraud", revision: 1, .failed, counted: true)
        counters.finish(model: "fraud", revision: 1, .answered(status: 200, microseconds: 1_000), counted: true)
        let revision = counters.snapshot()[0]
        #expect(revision.requests == 3 && revision.errors == 2 && revision.inFlight == 0)
        #expect(revision.answered == 2)
        #expect(revision.answered { $0 > 29_000 } == 1, "the timeout sits at 30 s in the histogram")
    }

    @Test("in flight goes back to 0 for uncounted and abandoned requests too, which are no samples")
    func inFlightReturnsToZero() {
        let counters = TrafficCounters()
        counters.begin(model: "fraud", revision: 4)
        counters.begin(model: "fraud", revision: 4)
        counters.finish(model: "fraud", revision: 4, .answered(status: 200, microseconds: 5), counted: false)
        counters.finish(model: "fraud", revision: 4, .abandoned, counted: true)
        let revision = counters.snapshot()[0]
        #expect(revision.inFlight == 0 && revision.requests == 0)
    }
}
