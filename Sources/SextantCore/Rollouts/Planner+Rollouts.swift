package import Foundation
package import SextantWire
import SextantAPI

/// What a rollout does next: the state machine's transitions (DESIGN §5 "Analysis").
package enum RolloutChange: Sendable, Hashable {
    /// The next step (a new weight, mirroring, blueGreen's switch) and a new sample window.
    case advance(step: Int, to: PolicyStep, window: SampleWindow, message: String)
    /// A failed verdict within `failureLimit`, or a new gateway instance: samples start again.
    case restartWindow(window: SampleWindow, failures: Int, message: String)
    /// Waits for `sextant promote` (a `pause: {}`, an inconclusive step with `inconclusive: pause`).
    case suspend(message: String)
    /// The candidate becomes stable; the old stable scales down after `scaleDownDelay`
    /// (after a blueGreen switch: the guard ends, the old stable scales down now).
    case promote(message: String)
    /// All traffic back to stable at once (after a blueGreen switch: back to the revision
    /// that served before). `Superseded` is not the candidate's failure.
    case abort(reason: String, message: String)
    /// An experiment decided (DESIGN §10): its report is kept and `ExperimentConcluded`
    /// recorded, then `then` happens (a promotion, a pause for `decision: report`, an abort).
    indirect case concludeExperiment(report: ExperimentReport, then: RolloutChange)

    /// The reason of the event that records it.
    package var eventReason: EventReason {
        switch self {
        case .advance(_, let step, _, _): step.phase == .switched ? .switched : .stepAdvanced
        case .restartWindow: .analysisWindowRestarted
        case .suspend: .rolloutPaused
        case .promote: .promoted
        case .abort(let reason, _): reason == RolloutChange.superseded ? .superseded : .rolloutAborted
        case .concludeExperiment: .experimentConcluded
        }
    }

    /// The journal's name for it.
    package var name: String { eventReason.rawValue }

    package static let superseded = "Superseded"
    /// The reasons of an abort decided by the rollout itself (analysis, an inconclusive step,
    /// a crash loop), not by a person or by Git: what `rollback.gitRevert` answers.
    package static let automaticAborts: Set<String> = ["AnalysisFailed", "Inconclusive", "CrashLoop", experimentLost, experimentWithoutWinner]
    /// An experiment's candidate lost, or no difference was found.
    package static let experimentLost = "ExperimentLost"
    package static let experimentWithoutWinner = "ExperimentInconclusive"

    /// What the transition's event says.
    package var message: String {
        switch self {
        case .advance(_, _, _, let message), .restartWindow(_, _, let message), .suspend(let message), .promote(let message), .abort(_, let message): message
        case .concludeExperiment(_, let then): then.message
        }
    }

    package var isAbort: Bool { abortReason != nil }

    /// An abort's reason and message, also the one an experiment's conclusion leads to.
    package var abortReason: (reason: String, message: String)? {
        switch self {
        case .abort(let reason, let message): (reason, message)
        case .concludeExperiment(_, let then): then.abortReason
        default: nil
        }
    }
}

/// Where a rollout stands: its analysis this pass, and what it does next.
package struct RolloutProgress: Sendable, Hashable {
    package var rollout: Rollout
    package var steps: Int
    package var analysis: AnalysisResult?
    package var change: RolloutChange?
    /// When the next analysis (or the end of a pause) is due.
    package var wake: Date?
}

extension Planner {
    /// The next transition of a rollout: operator requests first, then a new gateway
    /// instance, then the verdict of the candidate's samples since the step began (its
    /// share of traffic, its mirrored copies, or after a blueGreen switch all traffic).
    /// `online`: the candidate's labelled rows, for `accuracy` and online-metric objectives.
    /// `experiment`: an experiment's numbers from production signals (those of another
    /// experiment are ignored); `concluded`: whether this experiment already decided;
    /// `stable`: the stable revision the experiment compares with.
    package static func progress(_ rollout: Rollout, model: String, policy: ResolvedPolicy, traffic: GatewayStatistics?, online: OnlineRevision? = nil,
                                 experiment: ExperimentReport? = nil, concluded: Bool = false, stable: Int? = nil, now: Date) -> RolloutProgress {
        // A rollout begun under another policy keeps its phase: `replace` has no steps.
        let steps = policy.steps.isEmpty ? [PolicyStep(weight: rollout.weight, pause: .none, phase: rollout.phase, mirrorPercent: rollout.mirrorPercent)] : policy.steps
        let index = min(rollout.step, steps.count - 1)
        let step = steps[index]
        var progress = RolloutProgress(rollout: rollout, steps: steps.count)
        let r = "r\(rollout.revision)"
        let (stepLabel, at) = Self.label(of: rollout.phase == .switched ? PolicyStep(weight: 100, pause: .none, phase: .switched) : step,
                                         index: index, count: steps.count)

        func advance(_ why: String) -> RolloutChange {
            let next = index + 1
            guard next < steps.count, rollout.phase != .switched else {
                return .promote(message: rollout.phase == .switched ? "\(r) held \(why)" : "\(r) promoted after \(stepLabel): \(why)")
            }
            let upcoming = steps[next]
            let what = switch upcoming.phase {
            case .canary: "step \(next + 1)/\(steps.count): \(upcoming.weight)% to \(r)"
            case .shadow, .preview: "\(upcoming.phase.rawValue): \(upcoming.mirrorPercent ?? 100)% of requests mirrored to \(r)"
            case .switched: "all traffic switched to \(r)"
            case .experiment: "experiment: \(upcoming.weight)% to \(r)"
            }
            return .advance(step: next, to: upcoming, window: .starting(at: now, model: model, revision: rollout.revision, traffic: traffic),
                            message: "\(stepLabel) of \(r) done (\(why)); \(what)")
        }

        if let actor = rollout.abortRequested {
            progress.change = .abort(reason: "OperatorAbort", message: "\(actor) aborted the rollout of \(r) \(at)")
            return progress
        }
        if let actor = rollout.promoteRequested {
            progress.change = advance("promoted by \(actor)")
            return progress
        }
        if let traffic, traffic.instance != rollout.window.instance {
            // A new gateway instance counts from zero; a window that began while the gateway
            // could not be read starts on what it has counted so far.
            let baseline = rollout.window.instance == nil ? traffic.counters(model: model, revision: rollout.revision) : nil
            progress.change = .restartWindow(
                window: SampleWindow(instance: traffic.instance, baseline: baseline, startedAt: now), failures: rollout.failures,
                message: rollout.window.instance == nil ? "the gateway counts \(r)'s samples" : "a new gateway instance: \(stepLabel)'s sample window starts again")
            return progress
        }

        let samples = rollout.window.samples(model: model, revision: rollout.revision, traffic: traffic)
        let analysis = AnalysisResult.judge(policy.objectives, samples: samples ?? RevisionCounters(model: model, revision: rollout.revision),
                                            online: online, since: rollout.window.startedAt,
                                            minSamples: policy.minSamples)
        progress.analysis = analysis
        let elapsed = now.timeIntervalSince(rollout.stepStartedAt)
        let nextAnalysis = now.addingTimeInterval(policy.interval)
        progress.wake = nextAnalysis

        switch analysis.verdict {
        case .failed:
            let why = analysis.failures.map(\.summary).joined(separator: "; ")
            if rollout.failures + 1 > policy.failureLimit {
                progress.change = policy.automaticRollback
                    ? .abort(reason: "AnalysisFailed", message: "\(r) failed its analysis \(at): \(why)")
                    : (rollout.suspended == nil ? .suspend(message: "\(r) failed its analysis \(at) (\(why)); rollback.automatic is false: `sextant abort` or `sextant promote`") : nil)
            } else {
                progress.change = .restartWindow(
                    window: .starting(at: now, model: model, revision: rollout.revision, traffic: traffic), failures: rollout.failures + 1,
                    message: "\(r) failed its analysis \(at) (\(why)); failure \(rollout.failures + 1) of \(policy.failureLimit) allowed, the window starts again")
            }
        case .passed where rollout.phase == .experiment, .inconclusive where rollout.phase == .experiment:
            // The KPI decides; SLOs only guard (an experiment is bounded by maxDuration, not maxStepDuration).
            guard !concluded, let settings = policy.experiment else { break }
            let report = (experiment.flatMap { $0.belongs(to: rollout) ? $0 : nil }).map { $0.judged(settings, now: now) }
            guard let report, report.decision.isConcluded else {
                progress.wake = min(nextAnalysis, rollout.startedAt.addingTimeInterval(settings.maxDuration))
                if report == nil, now.timeIntervalSince(rollout.startedAt) >= settings.maxDuration {
                    // No numbers at all (no prediction log): the experiment ends without a
                    // winner, and its event still says what was measured (nothing).
                    let message = "the experiment on \(settings.kpi) of \(r) reached maxDuration \(ManifestDuration.describe(settings.maxDuration)) with no KPI values measured"
                    var empty = ExperimentQuery(settings: settings, stable: stable ?? 0, candidate: rollout.revision, since: rollout.startedAt)
                        .emptyReport(model: model, message: message)
                    empty.decision = .noDifference
                    empty.concludedAt = now
                    progress.change = .concludeExperiment(report: empty, then: .abort(reason: RolloutChange.experimentWithoutWinner, message: message))
                }
                break
            }
            if report.decision == .candidateWins, analysis.verdict != .passed {
                // A winner is promoted only on a passed SLO verdict: wait for enough samples.
                break
            }
            var decided = report
            decided.concludedAt = now
            let then: RolloutChange = switch (report.decision, settings.decision) {
            case (.candidateWins, .promoteWinner): .promote(message: "\(report.verdict)")
            case (.candidateWins, .report): .suspend(message: "\(report.verdict); decision: report, so it waits for `sextant promote` or `sextant abort`")
            case (.candidateLoses, _): .abort(reason: RolloutChange.experimentLost, message: report.verdict)
            default: .abort(reason: RolloutChange.experimentWithoutWinner, message: report.verdict
                                + (now.timeIntervalSince(rollout.startedAt) >= settings.maxDuration ? " after maxDuration \(ManifestDuration.describe(settings.maxDuration))" : ""))
            }
            progress.change = .concludeExperiment(report: decided, then: then)
        case .passed where rollout.phase == .switched:
            // After a blueGreen switch: the guard holds for scaleDownDelay, then the old stable goes.
            if elapsed < policy.scaleDownDelay {
                progress.wake = min(nextAnalysis, rollout.stepStartedAt.addingTimeInterval(policy.scaleDownDelay))
            } else {
                progress.change = advance("\(Int(policy.scaleDownDelay)) s after the switch, analysis passed (\(analysis.progress))")
            }
        case .passed:
            switch step.pause {
            case .untilPromoted:
                if rollout.suspended == nil {
                    progress.change = .suspend(message: "\(r) \(stepLabel) at \(step.weight)% passed its analysis; paused until `sextant promote`")
                }
            case .seconds(let pause) where elapsed < pause:
                progress.wake = min(nextAnalysis, rollout.stepStartedAt.addingTimeInterval(pause))
            default:
                progress.change = advance(analysis.judgements.isEmpty ? "no SLO to judge" : "analysis passed, \(analysis.progress)")
            }
        case .inconclusive where rollout.phase == .switched:
            // The preview passed: too few samples after the switch cannot undo it.
            if elapsed < policy.scaleDownDelay {
                progress.wake = min(nextAnalysis, rollout.stepStartedAt.addingTimeInterval(policy.scaleDownDelay))
            } else {
                progress.change = advance("\(Int(policy.scaleDownDelay)) s after the switch, no verdict against it (\(analysis.progress))")
            }
        case .inconclusive:
            // Measured from the window's start: a window restarted by a failure gets its full time.
            guard now.timeIntervalSince(max(rollout.stepStartedAt, rollout.window.startedAt)) >= policy.maxStepDuration else { break }
            let why = "\(stepLabel) still inconclusive after \(Int(policy.maxStepDuration)) s (\(analysis.progress))"
            switch policy.inconclusive {
            case .pause:
                if rollout.suspended == nil { progress.change = .suspend(message: "\(r) \(why); paused until `sextant promote` or `sextant abort`") }
            case .rollback:
                progress.change = .abort(reason: "Inconclusive", message: "\(r) \(why); inconclusive: rollback")
            case .promote:
                progress.change = advance("\(why); inconclusive: promote")
            }
        }
        return progress
    }

    /// How messages name a step (`step 2/3`, `the shadow phase`, …), and where something
    /// happened in it (`at step 2/3`, `in the shadow phase`, …).
    static func label(of step: PolicyStep, index: Int, count: Int) -> (name: String, at: String) {
        switch step.phase {
        case .canary: ("step \(index + 1)/\(count)", "at step \(index + 1)/\(count)")
        case .shadow: ("the shadow phase", "in the shadow phase")
        case .preview: ("the preview", "in the preview")
        case .switched: ("the guard after the switch", "after the switch")
        case .experiment: ("the experiment", "in the experiment")
        }
    }

    /// The routing table's models: each model's stable revision and its candidate (a
    /// weighted share, or a mirror with `mirrorPercent`), with the endpoints of their live
    /// replicas and the header route to the candidate.
    package static func routes(_ desired: DesiredState?, observed: ObservedState) -> [String: ModelRoute] {
        var routes: [String: ModelRoute] = [:]
        for (key, object) in observed.objects where key.kind == .model {
            guard let state = object.model, let stable = state.stableRevision,
                  let revision = observed.registries[key.name]?.revision(stable) else { continue }
            func endpoints(_ replicas: [Replica]) -> [String] {
                replicas.filter { if case .exited? = observed.replicas[$0.id] { false } else { true } }.map(\.endpoint).sorted()
            }
            let split = state.trafficSplit(stableVersion: revision.version)
            let backends = split.map { share in
                RouteBackend(revision: share.revision, version: share.version, role: share.role, weight: share.weight,
                             endpoints: endpoints(share.replicas), mirrorPercent: share.mirrorPercent)
            }
            var header: HeaderRouteTarget?
            if let candidate = split.dropFirst().first, let model = desired?.manifests.model(named: key.name),
               let route = ResolvedPolicy(model, in: desired!.manifests).headerRoute {
                header = HeaderRouteTarget(name: route.name, value: route.value, revision: candidate.revision)
            }
            let wanted = desired?.models[key.name]
            routes[key.name] = ModelRoute(backends: backends, headerRoute: header, log: wanted?.predictionLog, target: wanted?.feedbackTarget,
                                          experiment: experimentAssignment(key.name, state: state, desired: desired))
        }
        return routes
    }

    /// A running experiment's assignment: its unit header, and a salt of the model and the
    /// candidate's revision, so each experiment assigns units afresh while one experiment
    /// keeps every unit on its arm across daemon restarts and table generations.
    static func experimentAssignment(_ model: String, state: ModelObservation, desired: DesiredState?) -> ExperimentAssignment? {
        guard let rollout = state.rollout, rollout.phase == .experiment else { return nil }
        let header = desired?.manifests.model(named: model).flatMap { ResolvedPolicy($0, in: desired!.manifests).experiment }?.unitHeader
        // 53 bits: the salt travels in the routing table's JSON, exact in any reader's doubles.
        let salt = (UInt64(Fingerprint.of("experiment", [model, "r\(rollout.revision)"]).prefix(16), radix: 16) ?? 0) & ((1 << 53) - 1)
        return ExperimentAssignment(unitHeader: header, salt: salt)
    }

    /// The revisions that served most recently before the current stable one, newest first:
    /// a Git rollback to one of them skips the steps.
    static func recentStable(_ registry: ModelRegistry, excluding current: Int?, window: Int) -> [Int] {
        // A canary's share of traffic does not make a revision one that served.
        let served = registry.revisions.filter { $0.number != current && $0.wasStable }
        func lastStable(_ revision: ModelRevision) -> Date { revision.served.last(where: \.wasStable)?.from ?? .distantPast }
        return served.sorted { lastStable($0) > lastStable($1) }.prefix(window).map(\.number)
    }
}
