import Foundation
import SextantTestSupport
import Testing
import SextantAPI
@testable import SextantCore
import SextantWire

/// `strategy: experiment` in the rollout state machine (DESIGN §10), as a table: the KPI
/// decides once both arms have `minSamples` values, SLOs guard throughout, `maxDuration`
/// ends it, and every conclusion carries its numbers.
@Suite struct ExperimentPlannerTests {
    typealias Next = RolloutPlannerTests.Next
    static let now = RolloutPlannerTests.now

    /// The experiment policy; `experiment` adds fields (`, sequential: false`), and a field it
    /// names replaces the default one (YAML refuses a duplicate key).
    static func policy(_ experiment: String = "") -> String {
        var fields = "split: 50, unit: {header: X-User-Id}, kpi: {name: converted, kind: proportion}, minSamples: 100, maxDuration: 1h"
        for (key, value) in [("split", "split: 50"), ("kpi", "kpi: {name: converted, kind: proportion}")] where experiment.contains(" \(key): ") {
            fields = fields.replacingOccurrences(of: value + ", ", with: "")
        }
        return RolloutPlannerTests.strategyPolicy("experiment", "  experiment: {\(fields)\(experiment)}", header: false)
    }

    static func resolved(_ experiment: String = "") throws -> ResolvedPolicy { try RolloutPlannerTests.resolved(policy(experiment)) }

    static func rollout(startedSecondsAgo: Double = 600) -> Rollout {
        RolloutPlannerTests.rollout(phase: .experiment, weight: 50, startedSecondsAgo: startedSecondsAgo)
    }

    /// Numbers of the experiment of `rollout(startedSecondsAgo:)`: `n` values per arm, the
    /// fixed-horizon interval `ci` and the always-valid one `sequential`.
    static func report(n: Int = 500, ci: [Double]? = [0.01, 0.05], sequential: [Double]? = [0.005, 0.06], startedSecondsAgo: Double = 600,
                       candidate: Int = 2) -> ExperimentReport {
        let settings = try! resolved().experiment!
        var report = ExperimentQuery(settings: settings, stable: 1, candidate: candidate, since: now.addingTimeInterval(-startedSecondsAgo)).emptyReport(model: "fraud")
        report.arms = [ExperimentArm(revision: 1, role: .stable, units: n, n: n, mean: 0.1, std: 0.3),
                       ExperimentArm(revision: candidate, role: .candidate, units: n, n: n, mean: 0.13, std: 0.33)]
        report.difference = 0.03
        report.ci = ci
        report.pValue = 0.004
        report.sequentialCi = sequential
        return report
    }

    struct Row: Sendable, CustomStringConvertible {
        var description: String
        var experiment: String = ""
        var rollout: Rollout = ExperimentPlannerTests.rollout()
        var report: ExperimentReport?
        var concluded = false
        var requests: UInt64 = 100
        var errors: UInt64 = 0
        var next: Next
        /// The decision the conclusion carries, when there is one.
        var decision: ExperimentOutcome?
    }

    static let rows: [Row] = [
        Row(description: "no numbers yet: wait", report: nil, next: .none),
        Row(description: "fewer than minSamples values per arm: wait, whatever the interval", report: report(n: 99), next: .none),
        Row(description: "the always-valid interval above 0: the candidate wins and is promoted", report: report(), next: .promote, decision: .candidateWins),
        Row(description: "a winner under decision: report waits for a person", experiment: ", decision: report", report: report(), next: .suspend,
            decision: .candidateWins),
        Row(description: "the always-valid interval below 0: the candidate loses, traffic back to stable",
            report: report(ci: [-0.05, -0.01], sequential: [-0.06, -0.005]), next: .abort("ExperimentLost"), decision: .candidateLoses),
        Row(description: "direction: decrease turns a rise into a loss", experiment: ", kpi: {name: converted, kind: proportion, direction: decrease}",
            report: report(), next: .abort("ExperimentLost"), decision: .candidateLoses),
        Row(description: "sequential: the fixed-horizon interval excludes 0 but the always-valid one holds it: keep looking",
            report: report(sequential: [-0.002, 0.06]), next: .none),
        Row(description: "sequential: false looks once: the interval holds 0, no difference, back to stable", experiment: ", sequential: false",
            report: report(ci: [-0.01, 0.05], sequential: nil), next: .abort("ExperimentInconclusive"), decision: .noDifference),
        Row(description: "sequential: false: the interval above 0 wins", experiment: ", sequential: false", report: report(sequential: nil), next: .promote,
            decision: .candidateWins),
        Row(description: "no interval (an arm without variance): wait", report: report(ci: nil, sequential: nil), next: .none),
        Row(description: "a winner with too few SLO samples waits for a passed verdict", report: report(), requests: 10, next: .none),
        Row(description: "an SLO break aborts whatever the KPI", report: report(), requests: 20, errors: 5, next: .abort("AnalysisFailed")),
        Row(description: "numbers of an earlier experiment are ignored", report: report(startedSecondsAgo: 7200), next: .none),
        Row(description: "numbers of another candidate are ignored", report: report(candidate: 3), next: .none),
        Row(description: "already concluded (decision: report): nothing more", experiment: ", decision: report", report: report(), concluded: true, next: .none),
        Row(description: "maxDuration passed without a winner: no difference, back to stable", rollout: rollout(startedSecondsAgo: 3700),
            report: report(sequential: [-0.002, 0.06], startedSecondsAgo: 3700), next: .abort("ExperimentInconclusive"), decision: .noDifference),
        Row(description: "maxDuration passed with no numbers at all: concluded with none", rollout: rollout(startedSecondsAgo: 3700), report: nil,
            next: .abort("ExperimentInconclusive"), decision: .noDifference),
        Row(description: "sextant abort aborts", rollout: { var r = rollout(); r.abortRequested = "user:ana"; return r }(), report: report(n: 3),
            next: .abort("OperatorAbort")),
        Row(description: "sextant promote promotes before a decision", rollout: { var r = rollout(); r.promoteRequested = "user:ana"; return r }(),
            report: report(n: 3), next: .promote),
    ]

    @Test(arguments: rows)
    func transition(_ row: Row) throws {
        let progress = Planner.progress(row.rollout, model: "fraud", policy: try Self.resolved(row.experiment),
                                        traffic: RolloutPlannerTests.traffic(requests: row.requests, errors: row.errors),
                                        experiment: row.report, concluded: row.concluded, stable: 1, now: Self.now)
        #expect(Next(progress.change) == row.next)
        if case .concludeExperiment(let report, _)? = progress.change {
            #expect(report.decision == row.decision)
            #expect(report.concludedAt == Self.now)
            #expect(report.arms.map(\.revision) == [1, 2])
            #expect(progress.change?.eventReason == .experimentConcluded)
        } else {
            #expect(row.decision == nil, "expected the conclusion \(row.decision.map(\.rawValue) ?? "")")
        }
    }

    @Test("a pending experiment wakes at the next analysis or at maxDuration, whichever comes first")
    func wakesForMaxDuration() throws {
        let progress = Planner.progress(Self.rollout(startedSecondsAgo: 3598), model: "fraud", policy: try Self.resolved(), traffic: RolloutPlannerTests.traffic(requests: 100),
                                        experiment: Self.report(n: 3, startedSecondsAgo: 3598), stable: 1, now: Self.now)
        #expect(progress.change == nil)
        #expect(progress.wake == Self.now.addingTimeInterval(2))
    }

    @Test("an experiment is one weighted step at its split; its conclusion's abort is what rollback.gitRevert answers")
    func oneStepAtTheSplit() throws {
        #expect(try Self.resolved().steps == [PolicyStep(weight: 50, pause: .none, phase: .experiment)])
        #expect(try Self.resolved(", split: 20").steps.first?.weight == 20)
        let lost = RolloutChange.concludeExperiment(report: Self.report(), then: .abort(reason: RolloutChange.experimentLost, message: "r2 loses"))
        #expect(lost.isAbort)
        #expect(lost.abortReason?.reason == "ExperimentLost")
        #expect(RolloutChange.automaticAborts.contains(lost.abortReason!.reason))
        #expect(lost.message == "r2 loses")
        #expect(!RolloutChange.concludeExperiment(report: Self.report(), then: .promote(message: "r2 wins")).isAbort)
    }
}
