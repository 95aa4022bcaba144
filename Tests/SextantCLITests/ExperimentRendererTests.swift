import Foundation
import Testing
@testable import SextantCLI
import SextantAPI
import SextantCore

/// `sextant experiment MODEL`: the table, its numbers and decision in words, and `-o json`.
@Suite struct ExperimentRendererTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let started = now.addingTimeInterval(-3 * 3600)

    /// converted (proportion, increase) per X-User-Id, 500 values per arm needed: r1 against r2.
    static func report(stable: ExperimentArm = ExperimentArm(revision: 1, role: .stable),
                       candidate: ExperimentArm = ExperimentArm(revision: 2, role: .candidate),
                       kind: KPIKind = .proportion, sequential: Bool = true, policy: ExperimentDecision = .promoteWinner) -> ExperimentReport {
        ExperimentReport(model: "fraud-detector", kpi: "converted", kind: kind, direction: .increase, arms: [stable, candidate],
                         sequential: sequential, policy: policy, alpha: 0.05, minSamples: 500, split: 50, unit: "X-User-Id", startedAt: started)
    }

    /// 1,204 and 1,198 values: 12.13% against 14.86% converted.
    static func measured(_ decision: ExperimentOutcome, policy: ExperimentDecision = .promoteWinner, sequential: Bool = true) -> ExperimentReport {
        var report = report(stable: ExperimentArm(revision: 1, role: .stable, units: 1180, n: 1204, mean: 0.121262, std: 0.326574),
                            candidate: ExperimentArm(revision: 2, role: .candidate, units: 1175, n: 1198, mean: 0.148581, std: 0.355822),
                            sequential: sequential, policy: policy)
        report.difference = 0.027319
        report.ci = [0.000031, 0.054607]
        report.pValue = 0.049581
        report.sequentialCi = sequential ? [-0.018214, 0.072852] : nil
        report.decision = decision
        return report
    }

    static func lines(_ report: ExperimentReport) -> [String] {
        ExperimentRenderer.text(report, now: now).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test("pending with no values: the settings, how many values each arm still needs, dashes for the missing numbers, and why")
    func pendingWithoutValues() {
        var report = Self.report()
        report.message = "no KPI values measured yet"
        let lines = Self.lines(report)
        #expect(lines[0] == "fraud-detector: converted (proportion, increase) per X-User-Id, 50% to r2, α 0.05, sequential, started 2027-01-15T05:00:00Z (3h ago)")
        #expect(lines[1] == "decision: pending — collecting until each arm has 500 KPI values (0 and 0 so far)")
        #expect(Array(lines[3 ... 5]) == ["ROLE       REVISION  UNITS  N  MEAN  STD",
                                   "stable     r1        0      0  -     -",
                                   "candidate  r2        0      0  -     -"])
        #expect(lines[7] == "difference (candidate - stable): not measured yet: each arm needs two KPI values")
        #expect(lines[8] == "no KPI values measured yet")
        #expect(lines.last == "")
    }

    @Test("pending with values: each arm's numbers aligned, the difference in points, the fixed-horizon CI with its p-value, and the always-valid interval that decides")
    func pendingWithValues() {
        let lines = Self.lines(Self.measured(.pending))
        #expect(lines[1] == "decision: pending — the always-valid interval still holds 0")
        #expect(Array(lines[3 ... 5]) == ["ROLE       REVISION  UNITS  N     MEAN    STD",
                                   "stable     r1        1180   1204  12.13%  32.66%",
                                   "candidate  r2        1175   1198  14.86%  35.58%"])
        #expect(Array(lines[7 ... 9]) == ["difference (candidate - stable): +2.732 pp",
                                   "95% CI, fixed horizon: [+0.003100 pp, +5.461 pp], p-value 0.0496",
                                   "95% always-valid interval: [-1.821 pp, +7.285 pp] (decides)"])
    }

    @Test("a fixed-horizon experiment shows no always-valid interval and marks the CI as what decides")
    func fixedHorizon() {
        let text = ExperimentRenderer.text(Self.measured(.candidateWins, sequential: false), now: Self.now)
        #expect(text.contains(", fixed horizon, started "))
        #expect(text.contains("95% CI, fixed horizon: [+0.003100 pp, +5.461 pp], p-value 0.0496 (decides)\n"))
        #expect(!text.contains("always-valid"))
    }

    @Test("the decision in words, by outcome and policy", arguments: [
        (ExperimentOutcome.candidateWins, ExperimentDecision.promoteWinner, true, "r2 wins: promoted"),
        (.candidateWins, .promoteWinner, false, "r2 wins: promoted once its SLO verdict passes"),
        (.candidateWins, .report, true, "r2 wins; decision: report, so the rollout waits for `sextant promote` or `sextant abort`"),
        (.candidateLoses, .promoteWinner, true, "r2 loses: traffic back to stable (r1)"),
        (.noDifference, .report, true, "no difference found: traffic back to stable (r1)"),
    ])
    func decisions(outcome: ExperimentOutcome, policy: ExperimentDecision, concluded: Bool, expected: String) {
        var report = Self.measured(outcome, policy: policy)
        report.concludedAt = concluded ? Self.now.addingTimeInterval(-600) : nil
        let lines = Self.lines(report)
        #expect(lines[1] == "decision: " + expected)
        #expect(lines[0].hasSuffix(concluded ? ", concluded 2027-01-15T07:50:00Z (10m ago)" : " (3h ago)"), "\(lines[0])")
    }

    @Test("a winner's report: concluded in the heading, the numbers it won with, the message last")
    func winner() {
        var report = Self.measured(.candidateWins)
        report.sequentialCi = [0.004112, 0.050526]
        report.concludedAt = Self.now.addingTimeInterval(-60)
        report.message = "r2 wins on converted"
        let lines = Self.lines(report)
        #expect(lines[0].hasSuffix("concluded 2027-01-15T07:59:00Z (60s ago)"))
        #expect(lines[1] == "decision: r2 wins: promoted")
        #expect(lines[9] == "95% always-valid interval: [+0.4112 pp, +5.053 pp] (decides)")
        #expect(lines[10] == "r2 wins on converted")
    }

    @Test("a mean KPI keeps its own unit and a proportion is shown in percent and points", arguments: [
        (KPIKind.mean, 12.5, "12.50", "+12.50"),
        (.mean, 1234.5678, "1235", "+1235"),
        (.mean, 2_500_000, "2.500e+06", "+2.500e+06"),
        (.mean, -0.00123456, "-0.001235", "-0.001235"),
        (.proportion, 0.121262, "12.13%", "+12.13 pp"),
        (.proportion, -0.0005, "-0.05000%", "-0.05000 pp"),
        (.proportion, 0, "0%", "0 pp"),
    ])
    func formatting(kind: KPIKind, value: Double, level: String, change: String) {
        #expect(ExperimentRenderer.level(value, kind) == level)
        #expect(ExperimentRenderer.change(value, kind) == change)
    }

    @Test("four significant digits, the rounding carried into the next digit", arguments: [
        (9.99996, "10.00"), (0.00012346, "0.0001235"), (0.0000123, "1.230e-05"), (999_999.6, "1.000e+06"), (-3.14159, "-3.142"),
    ])
    func significant(value: Double, expected: String) {
        #expect(ExperimentRenderer.significant(value) == expected)
    }

    @Test("p-values to four decimals, smaller ones as <0.0001", arguments: [
        (0.0123, "0.0123"), (0.049581, "0.0496"), (1.0, "1.0000"), (0.0001, "0.0001"), (0.00009, "<0.0001"), (3e-12, "<0.0001"),
    ])
    func pValues(p: Double, expected: String) {
        #expect(ExperimentRenderer.pText(p) == expected)
    }

    @Test("a mean KPI per request: the heading says so and the table keeps the KPI's unit")
    func meanPerRequest() {
        var report = Self.report(stable: ExperimentArm(revision: 3, role: .stable, units: 640, n: 640, mean: 12.48, std: 30.1),
                                 candidate: ExperimentArm(revision: 4, role: .candidate, units: 655, n: 655, mean: 13.9, std: 31.25), kind: .mean)
        report.unit = nil
        report.split = 20
        report.kpi = "revenue"
        report.difference = 1.42
        report.ci = [-1.9, 4.74]
        report.pValue = 0.4
        report.sequentialCi = [-5.2, 8.04]
        report.excluded = 0
        let lines = Self.lines(report)
        #expect(lines[0].hasPrefix("fraud-detector: revenue (mean, increase) per request, 20% to r4, α 0.05, sequential"))
        #expect(lines[4] == "stable     r3        640    640  12.48  30.10")
        #expect(lines[7] == "difference (candidate - stable): +1.420")
        #expect(lines[8] == "95% CI, fixed horizon: [-1.900, +4.740], p-value 0.4000")
    }

    @Test("values left out of a proportion are counted under the figures")
    func excluded() {
        var report = Self.measured(.pending)
        report.excluded = 3
        #expect(ExperimentRenderer.text(report, now: Self.now).contains("\nexcluded: 3 KPI values other than 0 or 1 (a proportion KPI counts 0 or 1)\n"))
    }

    @Test("-o json is one object with the keys of DESIGN §10, every arm with its six, dates in ISO 8601, and decodes back to the same report")
    func jsonShape() throws {
        var report = Self.measured(.candidateWins)
        report.concludedAt = Self.now
        let text = try ExperimentRenderer.json(report)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let design: Set = ["model", "kpi", "arms", "difference", "ci", "pValue", "sequential", "decision"]
        #expect(design.isSubset(of: object.keys), "\(design.subtracting(object.keys))")
        // The added keys are those docs/deviations.md lists, and no others.
        let added: Set = ["sequentialCi", "policy", "kind", "direction", "alpha", "minSamples", "split", "unit", "startedAt", "concludedAt", "excluded", "message"]
        #expect(Set(object.keys) == design.union(added))
        let arms = try #require(object["arms"] as? [[String: Any]])
        #expect(arms.count == 2)
        #expect(arms.allSatisfy { Set($0.keys) == ["revision", "role", "units", "n", "mean", "std"] })
        #expect(arms.map { $0["role"] as? String } == ["stable", "candidate"])
        #expect(object["ci"] as? [Double] == [0.000031, 0.054607])
        #expect(object["decision"] as? String == "candidateWins")
        #expect(object["sequential"] as? Bool == true)
        #expect(object["concludedAt"] as? String == "2027-01-15T08:00:00Z")
        #expect(try StatusDocument.jsonDecoder().decode(ExperimentReport.self, from: Data(text.utf8)) == report)
    }

    @Test("-o json of a report without numbers keeps every key, null where nothing is measured")
    func jsonWithoutNumbers() throws {
        let text = try ExperimentRenderer.json(Self.report())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        for key in ["difference", "ci", "pValue", "sequentialCi", "concludedAt", "message"] {
            #expect(object[key] is NSNull, "\(key)")
        }
        let arms = try #require(object["arms"] as? [[String: Any]])
        #expect(arms.allSatisfy { $0["mean"] is NSNull && $0["std"] is NSNull && $0["n"] as? Int == 0 })
    }
}
