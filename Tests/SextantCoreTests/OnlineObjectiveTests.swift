import Foundation
import Testing
import SextantAPI
import SextantWire
@testable import SextantCore

/// SLO objectives judged on labelled production rows (DESIGN §7): `accuracy` counts a
/// candidate's labelled rows since its window began; other online metrics compare the
/// revision's windowed value once `minSamples` labelled rows exist.
@Suite struct OnlineObjectiveTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    struct Invalid: Error {
        var diagnostics: String
    }

    static func slo(_ metric: String, objective: String) throws -> SLO {
        let yaml = """
            apiVersion: openslo/v1
            kind: SLO
            metadata: {name: online}
            spec:
              service: fraud
              indicator:
                metadata: {name: online}
                spec:
                  thresholdMetric: {metricSource: {type: sextant, spec: {metric: \(metric)}}}
              timeWindow: [{duration: 5m, isRolling: true}]
              budgetingMethod: Occurrences
              objectives: [\(objective)]
            """
        let result = try Manifests.load(Manifests.basic.merging(["model.yaml": Manifests.model, "slo.yaml": yaml]) { $1 })
        guard result.isValid else { throw Invalid(diagnostics: "\(result.diagnostics)") }
        return try #require(result.manifests.slo(named: "online"))
    }

    /// `right` answers then `wrong` ones, a second apart from `start`, and `before` wrong
    /// ones answered before the window began.
    static func online(right: Int, wrong: Int, before: Int = 0, metrics: [String: Double] = [:]) -> OnlineRevision {
        let outcomes = (0..<before).map { LabelledOutcome(time: start.addingTimeInterval(-Double($0 + 1)), correct: false) }
            + (0..<(right + wrong)).map { LabelledOutcome(time: start.addingTimeInterval(Double($0)), correct: $0 < right) }
        return OnlineRevision(revision: 2, rows: outcomes.count * 2, labelledRows: outcomes.count, coverage: 0.5, metrics: metrics,
                              outcomes: outcomes.reversed())
    }

    struct Row: Sendable, CustomStringConvertible {
        var name: String
        var metric: String
        var objective: String
        var online: OnlineRevision?
        var verdict: Verdict
        var samples: Int
        var bad: Int
        var description: String { name }
    }

    static let rows: [Row] = [
        Row(name: "accuracy: no labels yet is no verdict", metric: "accuracy", objective: "{target: 0.9}", online: nil,
            verdict: .inconclusive, samples: 0, bad: 0),
        Row(name: "accuracy: 20 labelled rows, 2 wrong, pass 90%", metric: "accuracy", objective: "{target: 0.9}", online: online(right: 18, wrong: 2),
            verdict: .passed, samples: 20, bad: 2),
        Row(name: "accuracy: 3 wrong among the first 5 fail 90% at once", metric: "accuracy", objective: "{target: 0.9}", online: online(right: 2, wrong: 3),
            verdict: .failed, samples: 5, bad: 3),
        Row(name: "accuracy: rows answered before the window began do not count", metric: "accuracy", objective: "{targetPercent: 90}",
            online: online(right: 20, wrong: 0, before: 30), verdict: .passed, samples: 20, bad: 0),
        Row(name: "auc ≥ 0.9 holds on the window", metric: "auc", objective: "{op: gte, value: 0.9}",
            online: online(right: 25, wrong: 0, metrics: ["auc": 0.93]), verdict: .passed, samples: 25, bad: 0),
        Row(name: "auc ≥ 0.9 broken on the window fails", metric: "auc", objective: "{op: gte, value: 0.9}",
            online: online(right: 25, wrong: 0, metrics: ["auc": 0.71]), verdict: .failed, samples: 25, bad: 25),
        Row(name: "auc: fewer labelled rows than minSamples is no verdict", metric: "auc", objective: "{op: gte, value: 0.9}",
            online: online(right: 5, wrong: 0, metrics: ["auc": 0.2]), verdict: .inconclusive, samples: 5, bad: 5),
        Row(name: "auc not defined yet (one class only) is no verdict", metric: "auc", objective: "{op: gte, value: 0.9}",
            online: online(right: 25, wrong: 0), verdict: .inconclusive, samples: 0, bad: 0),
    ]

    @Test(arguments: rows)
    func judged(_ row: Row) throws {
        let objectives = AnalysisObjective.of(try Self.slo(row.metric, objective: row.objective))
        #expect(objectives.count == 1)
        let result = AnalysisResult.judge(objectives, samples: RevisionCounters(model: "fraud", revision: 2), online: row.online, since: Self.start,
                                          minSamples: 20)
        let judgement = try #require(result.judgements.first)
        #expect(judgement.verdict == row.verdict)
        #expect(judgement.samples == row.samples && judgement.bad == row.bad, "\(judgement.summary)")
    }

    @Test("an accuracy objective needs a target only; an online metric needs op and value, no target; an unknown metric is named")
    func validation() throws {
        #expect(throws: Never.self) { try Self.slo("accuracy", objective: "{displayName: right, target: 0.9}") }
        #expect(throws: Never.self) { try Self.slo("f1", objective: "{op: gte, value: 0.8}") }
        #expect(throws: (any Error).self) { try Self.slo("f1", objective: "{target: 0.9}") }
        #expect(throws: (any Error).self) { try Self.slo("accuracy", objective: "{op: gte, value: 0.8}") }
        #expect(throws: (any Error).self) { try Self.slo("precission", objective: "{op: gte, value: 0.8}") }
    }
}
