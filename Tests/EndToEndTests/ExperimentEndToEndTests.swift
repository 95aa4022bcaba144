import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import SextantAPI
import SextantCore
import SextantStore
import SextantTestSupport

/// A/B experiments (DESIGN §10) with the real daemon, gateway and servers: clients with a
/// user id send requests, then KPI feedback for the answers they got, through the gateway.
@Suite(.serialized) struct ExperimentEndToEndTests {
    typealias Rig = RolloutEndToEndTests.Rig

    static let newVersion = StrategyEndToEndTests.newVersion

    /// A RolloutPolicy `experiment` block on the KPI `name` (sticky on `X-User-Id`).
    static func policy(kpi name: String, kind: KPIKind, minSamples: Int, more: String = "") -> String {
        "  experiment: {split: 50, unit: {header: X-User-Id}, kpi: {name: \(name), kind: \(kind.rawValue)}, minSamples: \(minSamples), maxDuration: 1h\(more)}\n  scaleDownDelay: 1s"
    }

    /// One answered request: who sent it, its id, which revision answered.
    struct Answer: Sendable {
        var user: String
        var requestId: String
        var revision: Int
    }

    /// `count` requests from `users` users (user i sends request j when j % users == i), 8 at a time.
    static func send(_ rig: Rig, count: Int, users: Int, offset: Int = 0, body: String = RolloutEndToEndTests.fraudRequest) async throws -> [Answer] {
        try await withThrowingTaskGroup(of: [Answer].self) { group in
            for lane in 0..<8 {
                group.addTask {
                    var answers: [Answer] = []
                    for index in stride(from: lane, to: count, by: 8) {
                        let user = "user-\((offset + index) % users)"
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(rig.gatewayPort)/v2/models/\(rig.model)/infer")
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.headers.add(name: "X-User-Id", value: user)
                        request.body = .bytes(ByteBuffer(string: body))
                        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        guard response.status == .ok, let id = response.headers.first(name: "X-Request-Id"),
                              let revision = response.headers.first(name: "X-Sextant-Revision").flatMap(Int.init) else {
                            Issue.record("request \(index) got HTTP \(response.status.code)")
                            continue
                        }
                        answers.append(Answer(user: user, requestId: id, revision: revision))
                    }
                    return answers
                }
            }
            var all: [Answer] = []
            for try await answers in group { all += answers }
            return all
        }
    }

    /// Posts one KPI value per answer through the gateway's feedback endpoint, 200 at a time.
    static func feed(_ rig: Rig, kpi name: String, _ values: [(Answer, Double)]) async throws {
        for start in stride(from: 0, to: values.count, by: 200) {
            let items = values[start..<min(start + 200, values.count)].map { answer, value in
                #"{"id":"\#(answer.requestId)","kpi":{"\#(name)":\#(value)}}"#
            }
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(rig.gatewayPort)/v2/models/\(rig.model)/feedback")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: #"{"feedback":[\#(items.joined(separator: ","))]}"#))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            #expect(response.status.code == 202 && body.contains(#""rejected":[]"#), "feedback: HTTP \(response.status.code) \(body)")
        }
    }

    /// A seeded KPI value: a 0/1 conversion with probability `rate`, or an amount around `mean`.
    static func value(_ kind: KPIKind, _ random: inout SeededRandom, rate: Double, mean: Double) -> Double {
        switch kind {
        case .proportion: random.next() < rate ? 1 : 0
        case .mean: (mean + 20 * (random.next() - 0.5) + 8 * (random.next() - 0.5)).rounded(toPlaces: 4)
        }
    }

    static func experimentStarted(_ rig: Rig) async throws {
        try rig.startDaemon()
        try await rig.waitFor("r1 to serve") { rig.status()?.phase == .serving }
        try rig.commit("stronger regularisation", Self.newVersion.path, replacing: Self.newVersion.old, with: Self.newVersion.new)
        try await rig.waitFor("the experiment") { rig.status()?.model?.rollout?.phase == .experiment }
    }

    /// What the peer computes on the KPI values `sextant predictions --with-feedback` exports.
    static let peerScript = #"""
        import csv, json, sys
        import numpy as np
        from scipy import stats
        path, kind, name, stable, candidate = sys.argv[1], sys.argv[2], "kpi." + sys.argv[3], sys.argv[4], sys.argv[5]
        arms = {stable: [], candidate: []}
        for row in csv.DictReader(open(path)):
            if row.get(name) not in (None, "") and row["revision"] in arms:
                arms[row["revision"]].append(float(row[name]))
        a, b = np.array(arms[candidate]), np.array(arms[stable])
        if kind == "mean":
            test = stats.ttest_ind(a, b, equal_var=False)
            ci = test.confidence_interval(0.95)
            out = {"difference": a.mean() - b.mean(), "ci": [ci.low, ci.high], "pValue": test.pvalue}
        else:
            from statsmodels.stats.proportion import proportions_ztest
            count, nobs = np.array([a.sum(), b.sum()]), np.array([len(a), len(b)])
            z, p = proportions_ztest(count, nobs)
            pooled = count.sum() / nobs.sum()
            se = np.sqrt(pooled * (1 - pooled) * (1 / nobs[0] + 1 / nobs[1]))
            diff = a.mean() - b.mean()
            q = stats.norm.ppf(0.975)
            out = {"difference": diff, "ci": [diff - q * se, diff + q * se], "pValue": p}
        out["n"] = [len(b), len(a)]
        print(json.dumps(out))
        """#

    struct Peer: Decodable {
        var difference: Double
        var ci: [Double]
        var pValue: Double
        var n: [Int]
    }

    static let python = ProcessInfo.processInfo.environment["SEXTANT_SKLEARN_PYTHON"]

    @Test("on KPI values fed through the gateway, the difference, interval and p-value equal SciPy's (mean) and statsmodels' (proportion); units are sticky",
          .enabled(if: python != nil, "needs SEXTANT_SKLEARN_PYTHON: a Python with SciPy and statsmodels (.ci/run makes one)"),
          arguments: [KPIKind.mean, .proportion])
    func numbersEqualThePeers(kind: KPIKind) async throws {
        let name = kind == .mean ? "revenue" : "converted"
        // Never decides: minSamples is out of reach, so the numbers can be read when every value is in.
        let rig = try Rig(strategy: "experiment", analysis: "{interval: 1s, minSamples: 20}",
                          extra: Self.policy(kpi: name, kind: kind, minSamples: 100_000))
        try await Self.experimentStarted(rig)
        let answers = try await Self.send(rig, count: 600, users: 120)
        var random = SeededRandom(seed: 23)
        let values = answers.map { answer in
            (answer, Self.value(kind, &random, rate: answer.revision == 2 ? 0.3 : 0.2, mean: answer.revision == 2 ? 51 : 50))
        }
        try await Self.feed(rig, kpi: name, values)

        // Sticky: no user saw both arms, and the units per arm are the users each arm answered.
        let arms = Dictionary(grouping: answers, by: \.user).mapValues { Set($0.map(\.revision)) }
        #expect(arms.values.allSatisfy { $0.count == 1 }, "users answered by both arms: \(arms.filter { $0.value.count > 1 }.keys.sorted())")
        let counts = Dictionary(grouping: answers, by: \.revision).mapValues(\.count)
        try await rig.waitFor("every KPI value joined", timeout: .seconds(60)) {
            let report = rig.status()?.model?.experiment
            return report?.arm(.stable)?.n == counts[1] && report?.arm(.candidate)?.n == counts[2]
        }
        let report = try #require(rig.status()?.model?.experiment)
        #expect(report.decision == .pending && report.kpi == name && report.kind == kind)
        #expect(report.arm(.stable)?.units == Set(answers.filter { $0.revision == 1 }.map(\.user)).count)
        #expect(report.arm(.candidate)?.units == Set(answers.filter { $0.revision == 2 }.map(\.user)).count)
        let share = Double(counts[2] ?? 0) / Double(answers.count)
        #expect(abs(share - 0.5) < 0.15, "the candidate answered \(share) of requests with split 50 over 120 users")

        let export = rig.state.path + "/../experiment-export-\(rig.apiPort).csv"
        let exported = try await runProcess(sextantBinary, ["predictions", rig.model, "--with-feedback", "-o", "csv", "--state-dir", rig.state.path])
        try #require(exported.status == 0, "\(exported.stderr)")
        try exported.stdout.write(toFile: export, atomically: true, encoding: .utf8)
        let peerRun = try await runProcess(Self.python!, ["-c", Self.peerScript, export, kind.rawValue, name, "1", "2"])
        try #require(peerRun.status == 0, "\(peerRun.stderr)")
        let peer = try JSONDecoder().decode(Peer.self, from: Data(peerRun.stdout.utf8))
        #expect(peer.n == [counts[1] ?? 0, counts[2] ?? 0], "the export holds the values the experiment counted")
        let difference = try #require(report.difference)
        let ci = try #require(report.ci)
        let pValue = try #require(report.pValue)
        #expect(abs(difference - peer.difference) < 1e-9, "difference \(difference) vs \(peer.difference)")
        #expect(abs(ci[0] - peer.ci[0]) < 1e-9 && abs(ci[1] - peer.ci[1]) < 1e-9, "ci \(ci) vs \(peer.ci)")
        #expect(abs(pValue - peer.pValue) < 1e-9, "p-value \(pValue) vs \(peer.pValue)")
        let sequential = try #require(report.sequentialCi)
        #expect(sequential[0] < ci[0] && sequential[1] > ci[1], "the always-valid interval \(sequential) is wider than the fixed one \(ci)")
    }

    @Test("a candidate with a real lift wins and is promoted; ExperimentConcluded carries the numbers")
    func winnerIsPromoted() async throws {
        let rig = try Rig(strategy: "experiment", analysis: "{interval: 1s, minSamples: 20}",
                          extra: Self.policy(kpi: "converted", kind: .proportion, minSamples: 60))
        try await Self.experimentStarted(rig)
        var random = SeededRandom(seed: 5)
        var round = 0
        while rig.status()?.model?.stableRevision != 2, round < 20 {
            let answers = try await Self.send(rig, count: 120, users: 200, offset: round * 120)
            try await Self.feed(rig, kpi: "converted", answers.map { ($0, Self.value(.proportion, &random, rate: $0.revision == 2 ? 0.6 : 0.1, mean: 0)) })
            round += 1
            _ = try await eventually(timeout: .seconds(3)) { rig.status()?.model?.stableRevision == 2 }
        }
        try await rig.waitFor("the promotion") { rig.status()?.model?.stableRevision == 2 && rig.status()?.model?.rollout == nil }
        let concluded = try #require(rig.events(.experimentConcluded).first)
        #expect(concluded.message.contains("r2 wins on converted") && concluded.message.contains("always-valid") && concluded.message.contains("promoted"),
                "\(concluded.message)")
        let report = try #require(rig.observation()?.experiment)
        #expect(report.decision == .candidateWins && report.concludedAt != nil)
        #expect((report.arm(.stable)?.n ?? 0) >= 60 && (report.arm(.candidate)?.n ?? 0) >= 60)
        #expect((report.sequentialCi?[0] ?? 0) > 0, "the always-valid interval excludes 0: \(String(describing: report.sequentialCi))")
        #expect(rig.status()?.model?.experiment?.decision == .candidateWins, "status keeps the last experiment")
    }

    @Test("a candidate without a lift is not promoted: at maxDuration the experiment ends with no difference and traffic goes back to stable")
    func noLiftIsNotPromoted() async throws {
        let rig = try Rig(strategy: "experiment", analysis: "{interval: 1s, minSamples: 20}",
                          extra: Self.policy(kpi: "converted", kind: .proportion, minSamples: 60).replacingOccurrences(of: "maxDuration: 1h", with: "maxDuration: 40s"))
        try await Self.experimentStarted(rig)
        var random = SeededRandom(seed: 11)
        var round = 0
        while rig.status()?.model?.rollout != nil, round < 30 {
            let answers = try await Self.send(rig, count: 60, users: 200, offset: round * 60)
            try await Self.feed(rig, kpi: "converted", answers.map { ($0, Self.value(.proportion, &random, rate: 0.3, mean: 0)) })
            round += 1
            _ = try await eventually(timeout: .seconds(2)) { rig.status()?.model?.rollout == nil }
        }
        try await rig.waitFor("the end of the experiment", timeout: .seconds(90)) { rig.status()?.model?.rollout == nil }
        let concluded = try #require(rig.events(.experimentConcluded).first)
        #expect(concluded.message.contains("no difference on converted"), "\(concluded.message)")
        #expect(rig.events(.rolloutAborted).first?.message.contains("maxDuration") == true)
        #expect(rig.status()?.model?.stableRevision == 1 && rig.status()?.model?.traffic.map(\.revision) == [1])
        #expect(rig.observation()?.experiment?.decision == .noDifference)
    }

    @Test("a candidate that breaks its SLO is aborted whatever its KPI",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs /usr/bin/python3 for the example's trainer and server"))
    func sloBreakAborts() async throws {
        let rig = try Rig(example: "python-trainer", model: "churn-predictor", strategy: "experiment", analysis: "{interval: 1s, minSamples: 20}",
                          extra: Self.policy(kpi: "converted", kind: .proportion, minSamples: 20))
        try rig.startDaemon()
        try await rig.waitFor("r1 to serve") { rig.status()?.phase == .serving }
        try rig.commit("slow server", "models/churn-predictor.yaml", replacing: "    replicas: 1", with: "    replicas: 1\n    env: {CHURN_DELAY_MS: \"800\"}")
        try await rig.waitFor("the experiment") { rig.status()?.model?.rollout?.phase == .experiment }
        var random = SeededRandom(seed: 9)
        var round = 0
        while rig.status()?.phase != .rolloutAborted, round < 10 {
            let answers = try await Self.send(rig, count: 48, users: 40, offset: round * 48, body: StrategyEndToEndTests.churnRequest)
            // The slow candidate converts every time: its KPI would win.
            try await Self.feed(rig, kpi: "converted", answers.map { ($0, $0.revision == 2 ? 1 : (random.next() < 0.1 ? 1 : 0)) })
            round += 1
        }
        try await rig.waitFor("the abort") { rig.status()?.phase == .rolloutAborted }
        let aborted = try #require(rig.events(.rolloutAborted).first)
        #expect(aborted.message.contains("failed its analysis in the experiment") && aborted.message.contains("p95 under 400 ms"), "\(aborted.message)")
        #expect(rig.events(.experimentConcluded).isEmpty, "the SLO decided, not the KPI")
        #expect(rig.status()?.model?.stableRevision == 1 && rig.status()?.model?.traffic.map(\.revision) == [1])
    }
}

/// A small seeded generator of uniform values in [0, 1) (SplitMix64).
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (self * scale).rounded() / scale
    }
}
