import Foundation
import SextantTestSupport
import Testing
import SextantAPI
@testable import SextantCore
import SextantWire

/// The canary state machine and the sample rule, as tables.
@Suite struct RolloutPlannerTests {
    static let now = ModelPlannerTests.now

    // MARK: - The sample rule (DESIGN §5 "Analysis")

    struct RuleRow: Sendable, CustomStringConvertible {
        var target: Double
        var minSamples: Int
        var samples: Int
        var bad: Int
        var verdict: Verdict
        var description: String { "target \(target), minSamples \(minSamples): \(bad) bad of \(samples) → \(verdict)" }
    }

    static let ruleRows: [RuleRow] = [
        RuleRow(target: 0.99, minSamples: 50, samples: 0, bad: 0, verdict: .inconclusive),
        RuleRow(target: 0.99, minSamples: 50, samples: 49, bad: 1, verdict: .inconclusive),  // one slow request among 50 cannot fail 99%
        RuleRow(target: 0.99, minSamples: 50, samples: 50, bad: 2, verdict: .failed),  // 2 > allowed(100) = 1: stopped early
        RuleRow(target: 0.99, minSamples: 50, samples: 100, bad: 1, verdict: .passed),
        RuleRow(target: 0.99, minSamples: 50, samples: 100, bad: 2, verdict: .failed),
        RuleRow(target: 0.99, minSamples: 150, samples: 120, bad: 1, verdict: .inconclusive),
        RuleRow(target: 0.99, minSamples: 150, samples: 150, bad: 1, verdict: .passed),
        RuleRow(target: 0.995, minSamples: 20, samples: 199, bad: 0, verdict: .inconclusive),
        RuleRow(target: 0.995, minSamples: 20, samples: 200, bad: 1, verdict: .passed),
        RuleRow(target: 0.9, minSamples: 20, samples: 20, bad: 2, verdict: .passed),
        RuleRow(target: 0.9, minSamples: 20, samples: 5, bad: 3, verdict: .failed),
        RuleRow(target: 0.5, minSamples: 0, samples: 2, bad: 1, verdict: .passed),
        RuleRow(target: 1.0, minSamples: 10, samples: 10, bad: 0, verdict: .passed),
        RuleRow(target: 1.0, minSamples: 10, samples: 3, bad: 1, verdict: .failed),
    ]

    @Test(arguments: ruleRows)
    func sampleRule(_ row: RuleRow) {
        #expect(SampleRule(target: row.target, minSamples: row.minSamples).verdict(samples: row.samples, bad: row.bad) == row.verdict)
    }

    @Test func requiredSamplesAreComputedExactly() {
        // ⌈1/(1−target)⌉ with 1 − 0.99 = 0.010000000000000009 in binary: still 100, not 101.
        #expect(SampleRule(target: 0.99, minSamples: 0).required == 100)
        #expect(SampleRule(target: 0.999, minSamples: 0).required == 1000)
        #expect(SampleRule(target: 0.995, minSamples: 0).required == 200)
        #expect(SampleRule(target: 0.95, minSamples: 0).required == 20)
        #expect(SampleRule(target: 0.9, minSamples: 50).required == 50)
        #expect(SampleRule(target: 0.99, minSamples: 0).allowed(100) == 1)
        #expect(SampleRule(target: 0.99, minSamples: 0).allowed(99) == 0)
    }

    @Test func stepsFollowTheArgoVocabulary() throws {
        func steps(_ yaml: String) throws -> [PolicyStep] {
            let policy = try Manifests.desired(Manifests.basic.merging(["policy.yaml": Self.policy(steps: yaml)]) { $1 }).manifests.rolloutPolicy(named: "canary")!
            return PolicyStep.canary(policy.spec.steps ?? [])
        }
        #expect(try steps("[{setWeight: 10}, {pause: {duration: 30s}}, {setWeight: 50}, {pause: {}}]")
                == [PolicyStep(weight: 10, pause: .seconds(30)), PolicyStep(weight: 50, pause: .untilPromoted)])
        #expect(try steps("[{pause: {duration: 1m}}, {setWeight: 20}, {setWeight: 40}]")
                == [PolicyStep(weight: 0, pause: .seconds(60)), PolicyStep(weight: 20, pause: .none), PolicyStep(weight: 40, pause: .none)])
    }

    @Test func errorBudgetsOfServingRevisions() {
        let objective = AnalysisObjective(slo: "errors", name: "99% succeed", measure: .errors, target: 0.99)
        let half = ErrorBudget(objective, RevisionCounters(model: "fraud", revision: 1, requests: 1000, errors: 5))
        #expect(half.summary == "99% succeed: 99.50% good of 1000, 50% of the error budget left")
        #expect(!half.spent)
        let spent = ErrorBudget(objective, RevisionCounters(model: "fraud", revision: 1, requests: 1000, errors: 20))
        #expect(spent.spent)
        #expect(spent.summary.hasSuffix("error budget spent (20 bad)"))
        // One bad request among three is not enough to call a 99% budget spent... but two are.
        #expect(!ErrorBudget(objective, RevisionCounters(model: "fraud", revision: 1, requests: 3, errors: 1)).spent)
        #expect(ErrorBudget(objective, RevisionCounters(model: "fraud", revision: 1, requests: 3, errors: 2)).spent)
        #expect(ErrorBudget(objective, RevisionCounters(model: "fraud", revision: 1)).remaining == nil)
    }

    // MARK: - Transitions

    static func policy(steps: String = "[{setWeight: 10}, {pause: {duration: 30s}}, {setWeight: 50}]", analysis: String = "{interval: 5s, minSamples: 50}",
                       extra: String = "") -> String {
        """
        apiVersion: sextant.dev/v1alpha1
        kind: RolloutPolicy
        metadata: {name: canary}
        spec:
          strategy: canary
          steps: \(steps)
          analysis: \(analysis)
        \(extra)
        """
    }

    static let errorsSLO = """
        apiVersion: openslo/v1
        kind: SLO
        metadata: {name: errors}
        spec:
          service: fraud
          indicator:
            metadata: {name: errors}
            spec:
              ratioMetric:
                good: {metricSource: {type: sextant, spec: {metric: requests, outcome: success}}}
                total: {metricSource: {type: sextant, spec: {metric: requests}}}
          timeWindow: [{duration: 5m, isRolling: true}]
          budgetingMethod: Occurrences
          objectives: [{target: 0.99}]
        """

    static let latencySLO = """
        apiVersion: openslo/v1
        kind: SLO
        metadata: {name: latency}
        spec:
          service: fraud
          indicator:
            metadata: {name: latency}
            spec:
              thresholdMetric: {metricSource: {type: sextant, spec: {metric: latency}}}
          timeWindow: [{duration: 5m, isRolling: true}]
          budgetingMethod: Occurrences
          objectives: [{op: lte, value: 50, target: 0.99}]
        """

    static func resolved(_ policy: String = policy(), slos: [String] = ["errors"]) throws -> ResolvedPolicy {
        let model = ModelPlannerTests.model().replacingOccurrences(of: "serving: {replicas: 1}",
                                                                   with: "serving: {replicas: 1, rollout: canary, slos: [\(slos.joined(separator: ", "))]}")
        let desired = try Manifests.desired(Manifests.basic.merging([
            "model.yaml": model, "policy.yaml": policy, "errors.yaml": errorsSLO, "latency.yaml": latencySLO,
        ]) { $1 })
        return ResolvedPolicy(desired.manifests.model(named: "fraud")!, in: desired.manifests)
    }

    /// Counters of r2: `requests` of which `errors` failed, answered in `milliseconds` each.
    static func traffic(instance: String = "g1", requests: UInt64, errors: UInt64 = 0, milliseconds: UInt64 = 2) -> GatewayStatistics {
        let answered = requests - errors
        return GatewayStatistics(instance: instance, generation: 3, revisions: [
            RevisionCounters(model: "fraud", revision: 2, requests: requests, errors: errors, latency: answered > 0 ? [[milliseconds * 1000, answered]] : []),
        ])
    }

    static func rollout(step: Int = 0, phase: RolloutPhase = .canary, weight: Int = 10, startedSecondsAgo: Double = 60, failures: Int = 0, suspended: String? = nil,
                        baseline: GatewayStatistics? = nil, instance: String? = "g1") -> Rollout {
        var rollout = Rollout(revision: 2, version: 2, replicas: [], step: step, phase: phase, weight: weight,
                              mirrorPercent: phase == .shadow || phase == .preview ? 50 : nil, startedAt: Self.now.addingTimeInterval(-startedSecondsAgo),
                              window: SampleWindow(instance: instance, baseline: baseline?.counters(model: "fraud", revision: 2),
                                                   startedAt: Self.now.addingTimeInterval(-startedSecondsAgo)),
                              failures: failures, suspended: suspended)
        rollout.stepStartedAt = Self.now.addingTimeInterval(-startedSecondsAgo)
        if phase == .switched { rollout.previousRevision = 1 }
        return rollout
    }

    enum Next: Equatable, CustomStringConvertible {
        case none
        case advance(step: Int, weight: Int)
        case restartWindow(failures: Int)
        case suspend
        case promote
        case abort(String)

        init(_ change: RolloutChange?) {
            switch change {
            case nil: self = .none
            case .advance(let step, let next, _, _)?: self = .advance(step: step, weight: next.weight)
            case .restartWindow(_, let failures, _)?: self = .restartWindow(failures: failures)
            case .suspend?: self = .suspend
            case .promote?: self = .promote
            case .abort(let reason, _)?: self = .abort(reason)
            case .concludeExperiment(_, let then)?: self = Next(then)
            }
        }

        var description: String {
            switch self {
            case .none: "nothing"
            case .advance(let step, let weight): "advance to step \(step + 1) at \(weight)%"
            case .restartWindow(let failures): "restart the window (\(failures) failures)"
            case .suspend: "suspend"
            case .promote: "promote"
            case .abort(let reason): "abort (\(reason))"
            }
        }
    }

    struct TransitionRow: Sendable, CustomStringConvertible {
        var description: String
        var policy: @Sendable () throws -> ResolvedPolicy = { try resolved() }
        var rollout: Rollout
        var traffic: GatewayStatistics?
        var next: Next
    }

    static let transitionRows: [TransitionRow] = [
        TransitionRow(description: "the gateway cannot be read: wait", rollout: rollout(), traffic: nil, next: .none),
        TransitionRow(description: "the first gateway statistics: the window starts on this instance",
                      rollout: rollout(instance: nil), traffic: traffic(requests: 0), next: .restartWindow(failures: 0)),
        TransitionRow(description: "a new gateway instance restarts the window", rollout: rollout(instance: "g0"), traffic: traffic(requests: 500),
                      next: .restartWindow(failures: 0)),
        TransitionRow(description: "too few samples: inconclusive, wait", rollout: rollout(), traffic: traffic(requests: 49), next: .none),
        TransitionRow(description: "enough good samples, the pause elapsed: step 2 at 50%", rollout: rollout(), traffic: traffic(requests: 100), next: .advance(step: 1, weight: 50)),
        TransitionRow(description: "enough good samples, the pause not elapsed: wait", rollout: rollout(startedSecondsAgo: 10), traffic: traffic(requests: 100), next: .none),
        TransitionRow(description: "samples before the window began do not count", rollout: rollout(baseline: traffic(requests: 60)), traffic: traffic(requests: 100),
                      next: .none),
        TransitionRow(description: "the last step passed: promotion", rollout: rollout(step: 1, weight: 50), traffic: traffic(requests: 100), next: .promote),
        TransitionRow(description: "errors beyond the budget: abort at once, before minSamples",
                      rollout: rollout(startedSecondsAgo: 1), traffic: traffic(requests: 10, errors: 2), next: .abort("AnalysisFailed")),
        TransitionRow(description: "errors within failureLimit restart the window",
                      policy: { try resolved(policy(analysis: "{minSamples: 50, failureLimit: 1}")) },
                      rollout: rollout(), traffic: traffic(requests: 10, errors: 5), next: .restartWindow(failures: 1)),
        TransitionRow(description: "one failure more than failureLimit aborts",
                      policy: { try resolved(policy(analysis: "{minSamples: 50, failureLimit: 1}")) },
                      rollout: rollout(failures: 1), traffic: traffic(requests: 10, errors: 5), next: .abort("AnalysisFailed")),
        TransitionRow(description: "slow answers break the latency objective",
                      policy: { try resolved(slos: ["latency"]) }, rollout: rollout(), traffic: traffic(requests: 30, milliseconds: 80), next: .abort("AnalysisFailed")),
        TransitionRow(description: "fast answers pass the latency objective",
                      policy: { try resolved(slos: ["latency"]) }, rollout: rollout(), traffic: traffic(requests: 100, milliseconds: 20), next: .advance(step: 1, weight: 50)),
        TransitionRow(description: "no traffic past maxStepDuration with inconclusive: pause: suspend, never promote or abort",
                      policy: { try resolved(policy(analysis: "{minSamples: 50, maxStepDuration: 1m}")) },
                      rollout: rollout(startedSecondsAgo: 3600), traffic: traffic(requests: 0), next: .suspend),
        TransitionRow(description: "already suspended for it: nothing more",
                      policy: { try resolved(policy(analysis: "{minSamples: 50, maxStepDuration: 1m}")) },
                      rollout: rollout(startedSecondsAgo: 3600, suspended: "inconclusive"), traffic: traffic(requests: 0), next: .none),
        TransitionRow(description: "inconclusive: rollback aborts", policy: { try resolved(policy(analysis: "{maxStepDuration: 1m, inconclusive: rollback}")) },
                      rollout: rollout(startedSecondsAgo: 3600), traffic: traffic(requests: 0), next: .abort("Inconclusive")),
        TransitionRow(description: "inconclusive: promote moves on", policy: { try resolved(policy(analysis: "{maxStepDuration: 1m, inconclusive: promote}")) },
                      rollout: rollout(startedSecondsAgo: 3600), traffic: traffic(requests: 0), next: .advance(step: 1, weight: 50)),
        TransitionRow(description: "pause: {} suspends once the verdict passes",
                      policy: { try resolved(policy(steps: "[{setWeight: 10}, {pause: {}}, {setWeight: 50}]")) },
                      rollout: rollout(), traffic: traffic(requests: 100), next: .suspend),
        TransitionRow(description: "sextant promote moves a paused step on",
                      policy: { try resolved(policy(steps: "[{setWeight: 10}, {pause: {}}, {setWeight: 50}]")) },
                      rollout: { var r = rollout(suspended: "paused"); r.promoteRequested = "user:ana"; return r }(), traffic: traffic(requests: 100),
                      next: .advance(step: 1, weight: 50)),
        TransitionRow(description: "sextant abort aborts", rollout: { var r = rollout(); r.abortRequested = "user:ana"; return r }(), traffic: traffic(requests: 100),
                      next: .abort("OperatorAbort")),
        TransitionRow(description: "no SLO to judge: steps advance on time alone", policy: { try resolved(slos: []) }, rollout: rollout(), traffic: traffic(requests: 0),
                      next: .advance(step: 1, weight: 50)),
        TransitionRow(description: "a failed verdict with rollback.automatic false waits for a person",
                      policy: { try resolved(policy(extra: "  rollback: {automatic: false}")) },
                      rollout: rollout(), traffic: traffic(requests: 10, errors: 5), next: .suspend),
    ]

    // MARK: - shadow and blueGreen

    /// A policy of another strategy (named `canary`, as the model refers to it).
    static func strategyPolicy(_ strategy: String, _ body: String, header: Bool = true) -> String {
        """
        apiVersion: sextant.dev/v1alpha1
        kind: RolloutPolicy
        metadata: {name: canary}
        spec:
          strategy: \(strategy)
          analysis: {interval: 5s, minSamples: 50}
          scaleDownDelay: 30s
        \(header ? "  headerRoute: {name: X-Sextant-Candidate, value: \"true\"}" : "")
        \(body)
        """
    }

    static let shadowPolicy = strategyPolicy("shadow", "  shadow: {mirrorPercent: 50, duration: 1m}\n  steps: [{setWeight: 20}]")
    static let shadowOnlyPolicy = strategyPolicy("shadow", "  shadow: {mirrorPercent: 50, duration: 1m}")
    static let blueGreenPolicy = strategyPolicy("blueGreen", "  blueGreen: {previewDuration: 1m, mirrorPercent: 50}")

    @Test func everyStrategyIsASequenceOfSteps() throws {
        #expect(try Self.resolved(Self.shadowPolicy).steps
                == [PolicyStep(weight: 0, pause: .seconds(60), phase: .shadow, mirrorPercent: 50), PolicyStep(weight: 20, pause: .none)])
        #expect(try Self.resolved(Self.blueGreenPolicy).steps
                == [PolicyStep(weight: 0, pause: .seconds(60), phase: .preview, mirrorPercent: 50), PolicyStep(weight: 100, pause: .seconds(30), phase: .switched)])
        // Defaults (DESIGN §2): mirrorPercent 100, and the durations of the design's example.
        #expect(try Self.resolved(Self.strategyPolicy("blueGreen", "")).steps.first == PolicyStep(weight: 0, pause: .seconds(60), phase: .preview, mirrorPercent: 100))
        #expect(try Self.resolved(Self.strategyPolicy("shadow", "")).steps == [PolicyStep(weight: 0, pause: .seconds(300), phase: .shadow, mirrorPercent: 100)])
        #expect(try Self.resolved(Self.strategyPolicy("replace", "", header: false)).steps.isEmpty)
    }

    static let strategyRows: [TransitionRow] = [
        TransitionRow(description: "shadow: good mirrored answers for the whole duration: the canary steps begin", policy: { try resolved(shadowPolicy) },
                      rollout: rollout(phase: .shadow, weight: 0, startedSecondsAgo: 120), traffic: traffic(requests: 100), next: .advance(step: 1, weight: 20)),
        TransitionRow(description: "shadow: the duration is not over: wait", policy: { try resolved(shadowPolicy) },
                      rollout: rollout(phase: .shadow, weight: 0, startedSecondsAgo: 30), traffic: traffic(requests: 100), next: .none),
        TransitionRow(description: "shadow: mirrored answers that break the SLO abort", policy: { try resolved(shadowPolicy) },
                      rollout: rollout(phase: .shadow, weight: 0, startedSecondsAgo: 5), traffic: traffic(requests: 10, errors: 5), next: .abort("AnalysisFailed")),
        TransitionRow(description: "shadow without steps: promotion after the duration", policy: { try resolved(shadowOnlyPolicy) },
                      rollout: rollout(phase: .shadow, weight: 0, startedSecondsAgo: 120), traffic: traffic(requests: 100), next: .promote),
        TransitionRow(description: "shadow: too few mirrored answers past maxStepDuration: pause", policy: { try resolved(shadowPolicy) },
                      rollout: rollout(phase: .shadow, weight: 0, startedSecondsAgo: 3600), traffic: traffic(requests: 3), next: .suspend),
        TransitionRow(description: "blueGreen: the preview passed after previewDuration: the switch", policy: { try resolved(blueGreenPolicy) },
                      rollout: rollout(phase: .preview, weight: 0, startedSecondsAgo: 120), traffic: traffic(requests: 100), next: .advance(step: 1, weight: 100)),
        TransitionRow(description: "blueGreen: previewDuration not over: wait", policy: { try resolved(blueGreenPolicy) },
                      rollout: rollout(phase: .preview, weight: 0, startedSecondsAgo: 10), traffic: traffic(requests: 100), next: .none),
        TransitionRow(description: "blueGreen: a failing preview aborts before the switch", policy: { try resolved(blueGreenPolicy) },
                      rollout: rollout(phase: .preview, weight: 0, startedSecondsAgo: 5), traffic: traffic(requests: 10, errors: 5), next: .abort("AnalysisFailed")),
        TransitionRow(description: "after the switch: a failed verdict switches back", policy: { try resolved(blueGreenPolicy) },
                      rollout: rollout(step: 1, phase: .switched, weight: 100, startedSecondsAgo: 5), traffic: traffic(requests: 10, errors: 5),
                      next: .abort("AnalysisFailed")),
        TransitionRow(description: "after the switch: passing within scaleDownDelay: keep guarding", policy: { try resolved(blueGreenPolicy) },
                      rollout: rollout(step: 1, phase: .switched, weight: 100, startedSecondsAgo: 5), traffic: traffic(requests: 100), next: .none),
        TransitionRow(description: "after the switch: scaleDownDelay over and passing: the guard ends", policy: { try resolved(blueGreenPolicy) },
                      rollout: rollout(step: 1, phase: .switched, weight: 100, startedSecondsAgo: 40), traffic: traffic(requests: 100), next: .promote),
        TransitionRow(description: "after the switch: scaleDownDelay over with too few samples: the guard ends", policy: { try resolved(blueGreenPolicy) },
                      rollout: rollout(step: 1, phase: .switched, weight: 100, startedSecondsAgo: 40), traffic: traffic(requests: 3), next: .promote),
        TransitionRow(description: "after the switch: sextant abort switches back", policy: { try resolved(blueGreenPolicy) },
                      rollout: { var r = rollout(step: 1, phase: .switched, weight: 100, startedSecondsAgo: 5); r.abortRequested = "user:ana"; return r }(),
                      traffic: traffic(requests: 100), next: .abort("OperatorAbort")),
    ]

    @Test(arguments: strategyRows)
    func strategyTransition(_ row: TransitionRow) throws {
        let progress = Planner.progress(row.rollout, model: "fraud", policy: try row.policy(), traffic: row.traffic, now: Self.now)
        #expect(Next(progress.change) == row.next)
    }

    @Test func theSwitchIsItsOwnEventWithAWindowOnTheCurrentCounters() throws {
        let progress = Planner.progress(Self.rollout(phase: .preview, weight: 0, startedSecondsAgo: 120), model: "fraud",
                                        policy: try Self.resolved(Self.blueGreenPolicy), traffic: Self.traffic(requests: 100), now: Self.now)
        guard case .advance(_, let next, let window, _)? = progress.change else { Issue.record("expected the switch"); return }
        #expect(next.phase == .switched)
        #expect(progress.change?.name == "Switched")
        #expect(window.baseline?.requests == 100)
    }

    @Test(arguments: transitionRows)
    func transition(_ row: TransitionRow) throws {
        let progress = Planner.progress(row.rollout, model: "fraud", policy: try row.policy(), traffic: row.traffic, now: Self.now)
        #expect(Next(progress.change) == row.next)
    }

    @Test func aWindowBegunWithoutStatisticsStartsOnTheCurrentCounters() throws {
        let progress = Planner.progress(Self.rollout(instance: nil), model: "fraud", policy: try Self.resolved(), traffic: Self.traffic(requests: 500, errors: 50),
                                        now: Self.now)
        guard case .restartWindow(let window, _, _)? = progress.change else { Issue.record("expected a new window"); return }
        #expect(window.baseline?.requests == 500, "earlier errors (another step, an aborted attempt) never count again")
        let fresh = Planner.progress(Self.rollout(instance: "g0"), model: "fraud", policy: try Self.resolved(), traffic: Self.traffic(requests: 5), now: Self.now)
        guard case .restartWindow(let restarted, _, _)? = fresh.change else { Issue.record("expected a new window"); return }
        #expect(restarted.baseline == nil, "a new gateway instance counts from zero")
    }

    @Test func maxStepDurationCountsFromTheWindowStart() throws {
        var rollout = Self.rollout(startedSecondsAgo: 3600)
        rollout.window.startedAt = Self.now.addingTimeInterval(-10)  // restarted by a failure 10 s ago
        let policy = try Self.resolved(Self.policy(analysis: "{minSamples: 50, maxStepDuration: 1m, inconclusive: promote}"))
        #expect(Planner.progress(rollout, model: "fraud", policy: policy, traffic: Self.traffic(requests: 3), now: Self.now).change == nil)
    }

    @Test func anAdvanceStartsANewWindowOnTheCurrentCounters() throws {
        let progress = Planner.progress(Self.rollout(), model: "fraud", policy: try Self.resolved(), traffic: Self.traffic(requests: 100), now: Self.now)
        guard case .advance(_, _, let window, _)? = progress.change else { Issue.record("expected an advance"); return }
        #expect(window.baseline?.requests == 100)
        #expect(window.samples(model: "fraud", revision: 2, traffic: Self.traffic(requests: 130))?.requests == 30)
    }

    // MARK: - Which revision takes traffic how

    /// r1 serves; Git asks for v2 (seed 9), evaluated and packaged as r2.
    static func candidate(policy: String? = policy(), rollout: Rollout? = nil) throws -> (DesiredState, ObservedState) {
        let base = ModelPlannerTests.model().replacingOccurrences(of: "serving: {replicas: 1}", with: "serving: {replicas: 1, rollout: canary, slos: [errors]}")
        var files = Manifests.basic.merging(["model.yaml": base, "errors.yaml": errorsSLO]) { $1 }
        if let policy { files["policy.yaml"] = policy } else { files["model.yaml"] = base.replacingOccurrences(of: "rollout: canary, ", with: "") }
        let old = try Manifests.desired(files)
        files["model.yaml"] = files["model.yaml"]!.replacingOccurrences(of: "seed: 0", with: "seed: 9")
        let next = try Manifests.desired(files)
        var observed = ModelPlannerTests.served(old)
        guard case .train(let training) = ModelPlannerTests.decision(next, observed).stage else { throw Failure("expected training") }
        observed.registries["fraud"]!.versions.append(ModelVersion(
            number: 2, fingerprint: training.fingerprint, commit: "c2", datasetSha256: "abc", contractSha256: "x", trainer: "logistic-regression",
            modelDirectory: "models/fraud/v2", trainingRows: 8, holdoutRows: 2, artifactDigest: "sha256:2", createdAt: Self.now))
        guard case .evaluate(let evaluation) = ModelPlannerTests.decision(next, observed).stage else { throw Failure("expected evaluation") }
        observed.registries["fraud"]!.revisions.append(ModelRevision(
            number: 2, version: 2, servingFingerprint: evaluation.servingFingerprint, commit: "c2", servingLaunch: evaluation.launch,
            evaluation: Evaluation(fingerprint: evaluation.fingerprint, metrics: ["auc": 0.97], gates: [], incumbent: nil, holdoutRows: 2, seconds: 0.1,
                                   evaluatedAt: Self.now),
            createdAt: Self.now))
        observed.objects[ModelPlannerTests.modelKey]!.model!.rollout = rollout
        observed.traffic = traffic(requests: 0)
        return (next, observed)
    }

    struct Failure: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    @Test func aCanaryPolicyStartsTheCandidateBesideStable() throws {
        let (desired, observed) = try Self.candidate()
        let decision = ModelPlannerTests.decision(desired, observed)
        guard case .deploy(let job) = decision.stage else { Issue.record("expected a deploy, got \(decision.stage)"); return }
        #expect(job.role == .candidate)
        #expect(job.retire.isEmpty)  // stable keeps serving
    }

    @Test func replaceDeploysAtOnce() throws {
        let (desired, observed) = try Self.candidate(policy: nil)
        guard case .deploy(let job) = ModelPlannerTests.decision(desired, observed).stage else { Issue.record("expected a deploy"); return }
        #expect(job.role == .stable)
        #expect(job.retire.map(\.revision) == [1])
    }

    @Test func aRolloutInFlightIsJudged() throws {
        let replica = Replica.fake(revision: 2, index: 0, id: "43", port: 9001, log: "", startedAt: Self.now)
        let (desired, observed) = try Self.candidate(rollout: Rollout(revision: 2, version: 2, replicas: [replica], step: 0, weight: 10,
                                                                       startedAt: Self.now.addingTimeInterval(-5), window: SampleWindow(instance: "g1", baseline: nil, startedAt: Self.now)))
        var state = observed
        state.replicas["43"] = .ready
        let decision = ModelPlannerTests.decision(desired, state)
        guard case .rollingOut(let progress) = decision.stage else { Issue.record("expected a rollout, got \(decision.stage)"); return }
        #expect(progress.analysis?.verdict == .inconclusive)
        #expect(decision.wake == Self.now.addingTimeInterval(5))  // the next analysis
        #expect(decision.candidateMaintenance == nil)
        let routes = Planner.routes(desired, observed: state)["fraud"]
        #expect(routes?.backends.map(\.weight) == [90, 10])
        #expect(routes?.backends.map(\.endpoints) == [loopbackEndpoints([9000]), loopbackEndpoints([9001])])
    }

    @Test(arguments: [(RolloutPhase.shadow, RouteRole.shadow), (.preview, .preview)])
    func aMirrorTakesNoWeightAndTheHeaderRoute(_ phase: RolloutPhase, role: RouteRole) throws {
        let replica = Replica.fake(revision: 2, index: 0, id: "43", port: 9001, log: "", startedAt: Self.now)
        var (desired, observed) = try Self.candidate(policy: phase == .shadow ? Self.shadowPolicy : Self.blueGreenPolicy,
                                                     rollout: Rollout(revision: 2, version: 2, replicas: [replica], step: 0, phase: phase, weight: 0,
                                                                      mirrorPercent: 50, startedAt: Self.now,
                                                                      window: SampleWindow(instance: "g1", baseline: nil, startedAt: Self.now)))
        observed.replicas["43"] = .ready
        let route = try #require(Planner.routes(desired, observed: observed)["fraud"])
        #expect(route.backends == [RouteBackend(revision: 1, version: 1, role: .stable, weight: 100, endpoints: loopbackEndpoints([9000])),
                                   RouteBackend(revision: 2, version: 2, role: role, weight: 0, endpoints: loopbackEndpoints([9001]), mirrorPercent: 50)])
        #expect(route.headerRoute == HeaderRouteTarget(name: "X-Sextant-Candidate", value: "true", revision: 2))
        guard case .rollingOut = ModelPlannerTests.decision(desired, observed).stage else { Issue.record("expected a rollout"); return }
    }

    @Test func afterTheSwitchTheNewRevisionIsStableAndTheOldOneStaysForTheGuard() throws {
        var (desired, observed) = try Self.candidate(policy: Self.blueGreenPolicy)
        let new = Replica.fake(revision: 2, index: 0, id: "43", port: 9001, log: "", startedAt: Self.now)
        var state = observed.objects[ModelPlannerTests.modelKey]!.model!
        let old = state.replicas
        var rollout = Self.rollout(step: 1, phase: .switched, weight: 100, startedSecondsAgo: 40)
        rollout.replicas = []
        state.stableRevision = 2
        state.replicas = [new]
        state.retiring = [RetiringRevision(revision: 1, replicas: old, until: Self.now.addingTimeInterval(-10))]
        state.rollout = rollout
        observed.objects[ModelPlannerTests.modelKey]!.model = state
        observed.replicas["43"] = .ready
        observed.traffic = Self.traffic(requests: 3)
        let decision = ModelPlannerTests.decision(desired, observed)
        #expect(decision.retire.isEmpty, "the guard decides when r1 goes")
        guard case .rollingOut(let progress) = decision.stage else { Issue.record("expected the guard, got \(decision.stage)"); return }
        #expect(Next(progress.change) == .promote)
        #expect(Planner.routes(desired, observed: observed)["fraud"]?.backends == [RouteBackend(revision: 2, version: 2, role: .stable, weight: 100, endpoints: loopbackEndpoints([9001]))])

        // Git moves on during the guard: it ends, r2 stays stable, r1 warm until its scale-down.
        desired = try Manifests.desired(Manifests.basic.merging([
            "model.yaml": ModelPlannerTests.model(seed: 0).replacingOccurrences(of: "serving: {replicas: 1}", with: "serving: {replicas: 1, rollout: canary, slos: [errors]}"),
            "errors.yaml": Self.errorsSLO, "policy.yaml": Self.blueGreenPolicy,
        ]) { $1 })
        let back = ModelPlannerTests.decision(desired, observed)
        guard case .rollout(_, 2, .abort(RolloutChange.superseded, _))? = back.supersede else { Issue.record("expected the guard to end, got \(back.actions)"); return }
        guard case .deploy(let job) = back.stage else { Issue.record("expected a deploy of r1, got \(back.stage)"); return }
        #expect(job.role == .stable && job.launch.revision == 1, "r1 served recently: it comes back at once")
    }

    @Test func aDeadCandidateReplicaIsRestartedAndLeavesTheRoutes() throws {
        let replica = Replica.fake(revision: 2, index: 0, id: "43", port: 9001, log: "", startedAt: Self.now)
        var (desired, observed) = try Self.candidate(rollout: Rollout(revision: 2, version: 2, replicas: [replica], step: 0, weight: 10, startedAt: Self.now,
                                                                       window: SampleWindow(instance: "g1", baseline: nil, startedAt: Self.now)))
        observed.replicas["43"] = .exited("killed")
        let decision = ModelPlannerTests.decision(desired, observed)
        #expect(decision.candidateMaintenance?.role == .candidate)
        #expect(Planner.routes(desired, observed: observed)["fraud"]?.backends.map(\.endpoints) == [loopbackEndpoints([9000]), []])
    }

    @Test func aCandidateThatKeepsCrashingBacksOffThenItsRolloutIsAborted() throws {
        let replica = Replica.fake(revision: 2, index: 0, id: "43", port: 9001, log: "", startedAt: Self.now)
        var rollout = Rollout(revision: 2, version: 2, replicas: [replica], step: 0, weight: 10, startedAt: Self.now,
                              window: SampleWindow(instance: "g1", baseline: nil, startedAt: Self.now))
        rollout.crashes = 2
        rollout.nextRestartAt = Self.now.addingTimeInterval(10)
        var (desired, observed) = try Self.candidate(rollout: rollout)
        observed.replicas["43"] = .exited("killed")
        let waiting = ModelPlannerTests.decision(desired, observed)
        #expect(waiting.candidateMaintenance == nil, "the restart waits for its backoff")
        #expect(waiting.wake == Self.now.addingTimeInterval(5), "the next analysis comes first")
        observed.objects[ModelPlannerTests.modelKey]!.model!.rollout!.nextRestartAt = Self.now.addingTimeInterval(-1)
        #expect(ModelPlannerTests.decision(desired, observed).candidateMaintenance?.keep == [])

        observed.objects[ModelPlannerTests.modelKey]!.model!.rollout!.crashes = 3
        let looping = ModelPlannerTests.decision(desired, observed)
        #expect(looping.candidateMaintenance == nil)
        guard case .rollout(_, 2, .abort("CrashLoop", _))? = looping.actions.first else { Issue.record("expected an abort, got \(looping.actions)"); return }
    }

    @Test func aNewerFingerprintSupersedesTheCanary() throws {
        let (desired, observed) = try Self.candidate(rollout: Rollout(revision: 7, version: 5, replicas: [], step: 1, weight: 50, startedAt: Self.now,
                                                                       window: SampleWindow(instance: "g1", baseline: nil, startedAt: Self.now)))
        let actions = ModelPlannerTests.decision(desired, observed).actions
        guard case .rollout(_, 7, .abort(let reason, _))? = actions.first else { Issue.record("expected an abort, got \(actions)"); return }
        #expect(reason == RolloutChange.superseded)
        #expect(actions.count == 1)  // the new candidate starts in the next round, from step 1
    }

    @Test func gitBackOnStableEndsTheCanary() throws {
        let (_, observed) = try Self.candidate(rollout: Rollout(revision: 2, version: 2, replicas: [], step: 0, weight: 10, startedAt: Self.now,
                                                                 window: SampleWindow(instance: "g1", baseline: nil, startedAt: Self.now)))
        let base = ModelPlannerTests.model().replacingOccurrences(of: "serving: {replicas: 1}", with: "serving: {replicas: 1, rollout: canary, slos: [errors]}")
        let stable = try Manifests.desired(Manifests.basic.merging(["model.yaml": base, "errors.yaml": Self.errorsSLO, "policy.yaml": Self.policy()]) { $1 })
        let decision = ModelPlannerTests.decision(stable, observed)
        #expect(decision.stage == .serving)
        guard case .rollout(_, 2, .abort(RolloutChange.superseded, _))? = decision.supersede else { Issue.record("expected a supersession"); return }
    }

    @Test func aRollbackToARecentStableRevisionSkipsTheSteps() throws {
        var (desired, observed) = try Self.candidate()
        // r2 served before r1 took over again: Git now asks for r2, a recent stable revision.
        observed.registries["fraud"]!.revisions[1].served = [ServedInterval(from: Self.now.addingTimeInterval(-100), until: Self.now.addingTimeInterval(-50))]
        guard case .deploy(let job) = ModelPlannerTests.decision(desired, observed).stage else { Issue.record("expected a deploy"); return }
        #expect(job.role == .stable)
    }

    @Test func anOldStableScalesDownAfterItsDelay() throws {
        var (desired, observed) = try Self.candidate()
        let old = Replica.fake(revision: 1, index: 0, id: "50", port: 9100, log: "", startedAt: Self.now)
        observed.objects[ModelPlannerTests.modelKey]!.model!.retiring = [
            RetiringRevision(revision: 1, replicas: [old], until: Self.now.addingTimeInterval(-1)),
            RetiringRevision(revision: 3, replicas: [old], until: Self.now.addingTimeInterval(20)),
        ]
        let decision = ModelPlannerTests.decision(desired, observed)
        #expect(decision.retire.map(\.revision) == [1])
        #expect(decision.actions.contains { if case .retire(_, let retiring) = $0 { retiring.revision == 1 } else { false } })
    }
}

extension ModelDecision.Stage {
    static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.serving, .serving): true
        default: false
        }
    }
}
