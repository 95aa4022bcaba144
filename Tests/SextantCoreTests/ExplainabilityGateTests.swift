import Foundation
import Testing
import SextantAPI
@testable import SextantCore

/// `evaluation.explainability` (DESIGN §9): `required` makes a revision without explanations
/// fail its gates; `optional` (the default) records why they are missing and judges without them.
@Suite struct ExplainabilityGateTests {
    static let explanations = Explanations(metric: "auc", repeats: 5, seed: 42,
                                           importances: [FeatureImportance(feature: "amount", mean: 0.2, std: 0.01)])

    static func evaluation(required: Bool?, explanations: Explanations?, failure: String? = nil) -> Evaluation {
        Evaluation(fingerprint: "f", metrics: ["auc": 0.95], gates: [GateResult(metric: "auc", value: 0.95, min: 0.9, max: nil, passed: true)],
                   incumbent: nil, holdoutRows: 100, seconds: 0.1, evaluatedAt: ModelPlannerTests.now, explanations: explanations,
                   explanationFailure: failure, explanationsRequired: required)
    }

    @Test("whether a revision passes, by explainability and whether explanations were computed", arguments: [
        (nil as Bool?, false, true), (nil, true, true), (true, true, true), (true, false, false),
    ])
    func passes(required: Bool?, explained: Bool, passes: Bool) {
        let evaluation = Self.evaluation(required: required, explanations: explained ? Self.explanations : nil,
                                         failure: explained ? nil : "auc is undefined on the holdout with amount permuted")
        #expect(evaluation.passed == passes)
        #expect(evaluation.failures.isEmpty == passes)
        if !passes {
            #expect(evaluation.failures == ["explanations are required (evaluation.explainability) but could not be computed: auc is undefined on the holdout with amount permuted"])
        }
    }

    static func model(explainability: String?) -> String {
        ModelPlannerTests.model().replacingOccurrences(
            of: "    gates: [{metric: auc, min: 0.9}]\n",
            with: "    gates: [{metric: auc, min: 0.9}]\n" + (explainability.map { "    explainability: \($0)\n" } ?? ""))
    }

    static func evaluationJob(explainability: String?) throws -> EvaluationJob {
        let desired = try ModelPlannerTests.desired(model(explainability: explainability))
        var observed = ModelPlannerTests.served(desired, deployed: false)
        observed.registries["fraud"]!.revisions = []
        guard case .evaluate(let job) = ModelPlannerTests.decision(desired, observed).stage else {
            Issue.record("expected an evaluation")
            throw CancellationError()
        }
        return job
    }

    @Test("required reaches the evaluation job and its fingerprint; optional, written or not, keeps the fingerprint revisions had")
    func fingerprint() throws {
        let absent = try Self.evaluationJob(explainability: nil)
        let optional = try Self.evaluationJob(explainability: "optional")
        let required = try Self.evaluationJob(explainability: "required")
        #expect(absent.explainability == .optional)
        #expect(optional.explainability == .optional)
        #expect(required.explainability == .required)
        #expect(absent.fingerprint == optional.fingerprint)
        #expect(required.fingerprint != absent.fingerprint)
    }

    @Test("a required revision evaluated without explanations stalls at GateFailed, saying why")
    func stalls() throws {
        let desired = try ModelPlannerTests.desired(Self.model(explainability: "required"))
        var observed = ModelPlannerTests.served(desired, deployed: false)
        let job = try Self.evaluationJob(explainability: "required")
        observed.registries["fraud"]!.revisions[0].evaluation = Evaluation(
            fingerprint: job.fingerprint, metrics: ["auc": 0.95], gates: [GateResult(metric: "auc", value: 0.95, min: 0.9, max: nil, passed: true)],
            incumbent: nil, holdoutRows: 2, seconds: 0.1, evaluatedAt: ModelPlannerTests.now,
            explanationFailure: "the holdout with amount permuted: r1's server answered the holdout with HTTP 400", explanationsRequired: true)
        guard case .stalled(let stall) = ModelPlannerTests.decision(desired, observed).stage else {
            Issue.record("expected a stall")
            return
        }
        #expect(stall.reason == "GateFailed")
        #expect(stall.message.contains("explanations are required"))
        #expect(stall.message.contains("HTTP 400"))
    }
}
