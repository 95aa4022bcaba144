import SextantTestSupport
import Testing
import SextantWire
@testable import SextantGateway

/// The gateway's choice of revision and replica: deterministic weights, the header route,
/// and the retry on another revision.
@Suite struct RouteTableTests {
    static func table(stable: Int = 90, candidate: Int = 10, stablePorts: [Int] = [9000, 9001], candidatePorts: [Int] = [9100],
                      header: Bool = false) -> RouteTable {
        RouteTable(RoutingTable(generation: 1, models: ["fraud": ModelRoute(
            backends: [RouteBackend(revision: 1, version: 1, role: .stable, weight: stable, endpoints: loopbackEndpoints(stablePorts)),
                       RouteBackend(revision: 2, version: 2, role: .candidate, weight: candidate, endpoints: loopbackEndpoints(candidatePorts))],
            headerRoute: header ? HeaderRouteTarget(name: "X-Sextant-Candidate", value: "true", revision: 2) : nil)]))
    }

    static func shares(_ table: inout RouteTable, requests: Int, header: @escaping (String) -> String? = { _ in nil }) -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for _ in 0..<requests { counts[table.choose(model: "fraud", header: header)!.revision, default: 0] += 1 }
        return counts
    }

    @Test(arguments: [(90, 10), (50, 50), (99, 1), (0, 100), (100, 0), (67, 33)])
    func weightsAreExact(stable: Int, candidate: Int) {
        var table = Self.table(stable: stable, candidate: candidate)
        let counts = Self.shares(&table, requests: 2000)
        #expect(counts[2, default: 0] == 2000 * candidate / 100)
        #expect(counts[1, default: 0] == 2000 * stable / 100)
    }

    @Test func tenPercentIsSpreadEvenly() {
        var table = Self.table()
        // Smooth weighted round-robin: one candidate request in every ten, never a burst.
        for _ in 0..<20 {
            let window = (0..<10).map { _ in table.choose(model: "fraud", header: { _ in nil })!.revision }
            #expect(window.filter { $0 == 2 }.count == 1)
        }
    }

    @Test func replicasTakeTurns() {
        var table = Self.table(stable: 100, candidate: 0)
        let ports = (0..<4).map { _ in table.choose(model: "fraud", header: { _ in nil })!.port }
        #expect(ports == [9000, 9001, 9000, 9001])
    }

    @Test func theHeaderRouteAlwaysReachesTheCandidate() {
        var table = Self.table(header: true)
        let counts = Self.shares(&table, requests: 50) { $0 == "X-Sextant-Candidate" ? "true" : nil }
        #expect(counts == [2: 50])
        let other = Self.shares(&table, requests: 10) { $0 == "X-Sextant-Candidate" ? "false" : nil }
        #expect(other[2] == 1)
    }

    @Test func aRetryGoesToAnotherRevision() {
        var table = Self.table()
        let failed = RouteTable.Target(revision: 2, port: 9100)
        for _ in 0..<20 { #expect(table.choose(model: "fraud", header: { _ in nil }, excluding: failed)?.revision == 1) }
        // Only one revision: another of its replicas, if it has one.
        var single = Self.table(stable: 100, candidate: 0, candidatePorts: [])
        let retry = single.choose(model: "fraud", header: { _ in nil }, excluding: RouteTable.Target(revision: 1, port: 9000))
        #expect(retry == RouteTable.Target(revision: 1, port: 9001))
        var lone = Self.table(stable: 100, candidate: 0, stablePorts: [9000], candidatePorts: [])
        #expect(lone.choose(model: "fraud", header: { _ in nil }, excluding: RouteTable.Target(revision: 1, port: 9000)) == nil)
    }

    @Test("a single revision whose replicas share one URL (behind Ray Serve's proxy): the retry goes to the next slot, the same URL and prefix")
    func aRetryBehindOneProxyGoesToItAgain() throws {
        let serve = "http://127.0.0.1:8000/fraud/r3"
        var table = RouteTable(RoutingTable(generation: 1, models: ["fraud": ModelRoute(
            backends: [RouteBackend(revision: 3, version: 3, role: .stable, weight: 100, endpoints: [serve, serve])])]))
        let target = RouteTable.Target(revision: 3, upstream: Upstream(host: "127.0.0.1", port: 8000), pathPrefix: "/fraud/r3")
        for _ in 0..<3 {
            let chosen = table.choose(model: "fraud", header: { _ in nil })
            let failed = try #require(chosen)
            #expect(failed == target)
            #expect(table.choose(model: "fraud", header: { _ in nil }, excluding: failed) == target)
        }
        var lone = RouteTable(RoutingTable(generation: 1, models: ["fraud": ModelRoute(
            backends: [RouteBackend(revision: 3, version: 3, role: .stable, weight: 100, endpoints: [serve])])]))
        #expect(lone.choose(model: "fraud", header: { _ in nil }, excluding: target) == nil, "one replica: nowhere else to go")
    }

    @Test("endpoints the gateway cannot use are left out and reported with the model, revision and reason")
    func unusableEndpointsAreReported() {
        var table = RouteTable(RoutingTable(generation: 1, models: ["fraud": ModelRoute(
            backends: [RouteBackend(revision: 1, version: 1, role: .stable, weight: 100, endpoints: ["https://127.0.0.1:8443/fraud/r1", "http://127.0.0.1:9000"]),
                       RouteBackend(revision: 2, version: 2, role: .candidate, weight: 0, endpoints: ["http://127.0.0.1:9100/fraud/r2?x"])])]))
        let reported = table.unusableEndpoints
        #expect(reported.map(\.model) == ["fraud", "fraud"])
        #expect(reported.map(\.endpoint) == [UnusableEndpoint(revision: 1, url: "https://127.0.0.1:8443/fraud/r1", reason: .scheme("https")),
                                             UnusableEndpoint(revision: 2, url: "http://127.0.0.1:9100/fraud/r2?x", reason: .query)])
        #expect(Self.shares(&table, requests: 4) == [1: 4])
        #expect(table.choose(model: "fraud", header: { _ in nil }) == RouteTable.Target(revision: 1, port: 9000))
        #expect(RouteTable(RoutingTable(generation: 1, models: ["fraud": ModelRoute(backends: [ProxyTests.stable(9000)])])).unusableEndpoints.isEmpty)
    }

    @Test func aRevisionWithoutServersTakesNoTraffic() {
        var table = Self.table(candidatePorts: [])
        #expect(Self.shares(&table, requests: 100) == [1: 100])
        var noStable = Self.table(stablePorts: [])
        #expect(Self.shares(&noStable, requests: 10) == [2: 10], "what is left serves rather than fail")
    }

    @Test func aNewTableKeepsTheChoiceStateOfUnchangedModels() {
        var table = Self.table()
        _ = Self.shares(&table, requests: 5)
        let before = table
        table.replace(with: RoutingTable(generation: 2, models: before.table.models))
        var replaced = table, kept = before
        #expect(Self.shares(&replaced, requests: 5) == Self.shares(&kept, requests: 5))
    }

    @Test func aModelAskedForJustBeforeANewTableIsRoutedByTheNewOne() {
        var table = Self.table(stable: 100, candidate: 0)
        #expect(table.choose(model: "fraud", header: { _ in nil })?.revision == 1)
        table.replace(with: RoutingTable(generation: 2, models: [
            "churn": ModelRoute(backends: [RouteBackend(revision: 7, version: 7, role: .stable, weight: 100, endpoints: loopbackEndpoints([9700]))]),
            "fraud": ModelRoute(backends: [RouteBackend(revision: 4, version: 4, role: .stable, weight: 100, endpoints: loopbackEndpoints([9400]))]),
        ]))
        for _ in 0..<3 {
            #expect(table.choose(model: "fraud", header: { _ in nil }) == RouteTable.Target(revision: 4, port: 9400))
            #expect(table.choose(model: "churn", header: { _ in nil }) == RouteTable.Target(revision: 7, port: 9700))
        }
        table.replace(with: RoutingTable(generation: 3, models: [:]))
        guard case .unknownModel = table.route(model: "fraud", header: { _ in nil }, counted: true) else {
            Issue.record("a model the new table leaves out is unknown, though it was asked for last")
            return
        }
    }

    @Test func routeAnswersUnknownModelsAndServerlessOnesAndMirrorsOnlyInference() {
        var table = RouteTable(RoutingTable(generation: 1, models: [
            "fraud": ModelRoute(backends: [RouteBackend(revision: 1, version: 1, role: .stable, weight: 100, endpoints: loopbackEndpoints([9000])),
                                           RouteBackend(revision: 2, version: 2, role: .shadow, weight: 0, endpoints: loopbackEndpoints([9100]), mirrorPercent: 100)]),
            "empty": ModelRoute(backends: [RouteBackend(revision: 1, version: 1, role: .stable, weight: 100, endpoints: loopbackEndpoints([]))]),
        ]))
        guard case .unknownModel = table.route(model: "churn", header: { _ in nil }, counted: true) else { Issue.record("churn is unknown"); return }
        guard case .noServer = table.route(model: "empty", header: { _ in nil }, counted: true) else { Issue.record("empty has no server"); return }
        guard case .target(let target, let mirrors, let log, _) = table.route(model: "fraud", header: { _ in nil }, counted: true) else { Issue.record("fraud"); return }
        #expect(target == RouteTable.Target(revision: 1, port: 9000))
        #expect(mirrors == [RouteTable.Target(revision: 2, port: 9100)])
        #expect(log == PredictionLogSettings(), "a route without log settings logs with the defaults (on)")
        guard case .target(_, let none, let noLog, _) = table.route(model: "fraud", header: { _ in nil }, counted: false) else { Issue.record("fraud"); return }
        #expect(none.isEmpty, "metadata and readiness calls are not mirrored")
        #expect(noLog == nil, "metadata and readiness calls are not logged")
    }

    @Test func theHeaderRouteReachesAWeightZeroShadowWhichOtherwiseServesNoOne() {
        var table = RouteTable(RoutingTable(generation: 1, models: ["fraud": ModelRoute(
            backends: [RouteBackend(revision: 1, version: 1, role: .stable, weight: 100, endpoints: loopbackEndpoints([9000])),
                       RouteBackend(revision: 3, version: 3, role: .preview, weight: 0, endpoints: loopbackEndpoints([9300]), mirrorPercent: 20)],
            headerRoute: HeaderRouteTarget(name: "X-Preview", value: "on", revision: 3))]))
        let counts = Self.shares(&table, requests: 100)
        #expect(counts == [1: 100], "a preview at weight 0 serves no weighted traffic")
        for _ in 0..<5 { #expect(table.choose(model: "fraud", header: { $0 == "X-Preview" ? "on" : nil }) == RouteTable.Target(revision: 3, port: 9300)) }
        var noStable = RouteTable(RoutingTable(generation: 1, models: ["fraud": ModelRoute(backends: [
            RouteBackend(revision: 1, version: 1, role: .stable, weight: 100, endpoints: loopbackEndpoints([])),
            RouteBackend(revision: 3, version: 3, role: .preview, weight: 0, endpoints: loopbackEndpoints([9300]), mirrorPercent: 20),
        ])]))
        #expect(noStable.choose(model: "fraud", header: { _ in nil }) == nil, "a mirror's answers are never returned unless asked for")
    }

    @Test("under an experiment a unit keeps its arm while its arm's replicas take turns; the header route still wins; a retry leaves the arm")
    func experimentUnits() throws {
        let assignment = ExperimentAssignment(unitHeader: "X-User-Id", salt: 77)
        var table = RouteTable(RoutingTable(generation: 1, models: ["fraud": ModelRoute(
            backends: [RouteBackend(revision: 1, version: 1, role: .stable, weight: 80, endpoints: loopbackEndpoints([9000, 9001])),
                       RouteBackend(revision: 2, version: 2, role: .candidate, weight: 20, endpoints: loopbackEndpoints([9100]))],
            headerRoute: HeaderRouteTarget(name: "X-Sextant-Candidate", value: "true", revision: 2), experiment: assignment)]))
        let users = (0..<200).map { "u\($0)" }
        let stableUser = try #require(users.first { ExperimentAssignment.arm(of: assignment.unit(of: $0), weights: [80, 20]) == 0 })
        let candidateUser = try #require(users.first { ExperimentAssignment.arm(of: assignment.unit(of: $0), weights: [80, 20]) == 1 })
        let stableTargets = (0..<4).map { _ in table.choose(model: "fraud", header: { _ in nil }, unit: assignment.unit(of: stableUser))! }
        #expect(stableTargets.map(\.revision) == [1, 1, 1, 1] && stableTargets.map(\.port) == [9000, 9001, 9000, 9001])
        for _ in 0..<4 { #expect(table.choose(model: "fraud", header: { _ in nil }, unit: assignment.unit(of: candidateUser))?.revision == 2) }
        #expect(table.choose(model: "fraud", header: { $0 == "X-Sextant-Candidate" ? "true" : nil }, unit: assignment.unit(of: stableUser))?.revision == 2)
        #expect(table.choose(model: "fraud", header: { _ in nil }, unit: assignment.unit(of: candidateUser),
                             excluding: RouteTable.Target(revision: 2, port: 9100))?.revision == 1)
        // route() asks for the unit only under an experiment, and hands it on for the log.
        guard case .target(let target, _, _, let unit) = table.route(model: "fraud", header: { _ in nil }, unit: { $0.unit(of: candidateUser) }, counted: true)
        else { Issue.record("fraud"); return }
        #expect(target.revision == 2 && unit == assignment.unit(of: candidateUser))
        var plain = Self.table()
        guard case .target(_, _, _, let none) = plain.route(model: "fraud", header: { _ in nil }, unit: { _ in 42 }, counted: true) else { Issue.record("fraud"); return }
        #expect(none == nil, "no experiment: no unit")
    }
}
