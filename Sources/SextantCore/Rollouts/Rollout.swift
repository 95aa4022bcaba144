package import Foundation
package import SextantWire
package import SextantAPI

/// A rollout in flight, persisted with the model so a restarted daemon resumes it at the
/// same step, split and sample window.
package struct Rollout: Sendable, Hashable, Codable {
    /// The candidate.
    package var revision: Int
    package var version: Int
    /// The candidate's servers (none once a blueGreen switch made them the stable ones).
    package var replicas: [Replica]
    /// The index of the current step (of `ResolvedPolicy.steps`).
    package var step: Int
    /// What the current step does with traffic.
    package var phase: RolloutPhase
    /// The candidate's share of traffic, in percent (0 while it only gets mirrored copies).
    package var weight: Int
    /// The percent of requests copied to the candidate (shadow, preview).
    package var mirrorPercent: Int?
    /// After a blueGreen switch: the revision that served before, kept warm to switch back to.
    package var previousRevision: Int?
    package var startedAt: Date
    package var stepStartedAt: Date
    package var window: SampleWindow
    /// Failed verdicts so far (within `failureLimit` each restarts the window).
    package var failures: Int
    /// Why it waits for `sextant promote` (a `pause: {}`, an inconclusive step).
    package var suspended: String?
    /// Who asked to promote or abort (taken by the next pass).
    package var promoteRequested: String?
    package var abortRequested: String?
    /// The candidate's servers' exits in a row, and when the next restart is due: a
    /// candidate that keeps crashing backs off, then its rollout is aborted.
    package var crashes: Int = 0
    package var nextRestartAt: Date?

    package init(revision: Int, version: Int, replicas: [Replica], step: Int, phase: RolloutPhase = .canary, weight: Int, mirrorPercent: Int? = nil,
                startedAt: Date, window: SampleWindow, failures: Int = 0, suspended: String? = nil) {
        self.revision = revision
        self.version = version
        self.replicas = replicas
        self.step = step
        self.phase = phase
        self.weight = weight
        self.mirrorPercent = mirrorPercent
        self.startedAt = startedAt
        self.stepStartedAt = startedAt
        self.window = window
        self.failures = failures
        self.suspended = suspended
    }

    /// Canaries recorded before blueGreen and shadow existed have no phase.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        revision = try container.decode(Int.self, forKey: .revision)
        version = try container.decode(Int.self, forKey: .version)
        replicas = try container.decode([Replica].self, forKey: .replicas)
        step = try container.decode(Int.self, forKey: .step)
        phase = try container.decodeIfPresent(RolloutPhase.self, forKey: .phase) ?? .canary
        weight = try container.decode(Int.self, forKey: .weight)
        mirrorPercent = try container.decodeIfPresent(Int.self, forKey: .mirrorPercent)
        previousRevision = try container.decodeIfPresent(Int.self, forKey: .previousRevision)
        startedAt = try container.decode(Date.self, forKey: .startedAt)
        stepStartedAt = try container.decode(Date.self, forKey: .stepStartedAt)
        window = try container.decode(SampleWindow.self, forKey: .window)
        failures = try container.decode(Int.self, forKey: .failures)
        suspended = try container.decodeIfPresent(String.self, forKey: .suspended)
        promoteRequested = try container.decodeIfPresent(String.self, forKey: .promoteRequested)
        abortRequested = try container.decodeIfPresent(String.self, forKey: .abortRequested)
        crashes = try container.decodeIfPresent(Int.self, forKey: .crashes) ?? 0
        nextRestartAt = try container.decodeIfPresent(Date.self, forKey: .nextRestartAt)
    }

    /// The candidate as the routing table and status name it.
    package var role: RouteRole {
        switch phase {
        case .canary, .switched, .experiment: .candidate
        case .shadow: .shadow
        case .preview: .preview
        }
    }
}

/// What a rollout's current step does with the candidate (DESIGN §2 "RolloutPolicy").
package enum RolloutPhase: String, Sendable, Hashable, Codable {
    /// A weighted share of live traffic: the canary steps.
    case canary
    /// Mirrored copies of live traffic, answers recorded and never returned: `shadow`.
    case shadow
    /// blueGreen before the switch: the preview is judged on mirrored copies.
    case preview
    /// blueGreen after the switch: the new revision is stable and serves 100%; the old one
    /// stays warm for `scaleDownDelay`, and a failed verdict switches back to it.
    case switched
    /// An A/B experiment (DESIGN §10): the candidate takes its split of units until the KPI
    /// decides, SLO analysis guarding it throughout.
    case experiment

    /// Whether the candidate answers a weighted share of clients' requests.
    package var isWeighted: Bool { self == .canary || self == .experiment }
}

/// Where a step's samples begin: the gateway instance and its counters of the candidate
/// at that moment (the samples are what was counted since).
package struct SampleWindow: Sendable, Hashable, Codable {
    package var instance: String?
    package var baseline: RevisionCounters?
    package var startedAt: Date

    package init(instance: String?, baseline: RevisionCounters?, startedAt: Date) {
        self.instance = instance
        self.baseline = baseline
        self.startedAt = startedAt
    }

    /// A window beginning now, on what the gateway has counted so far.
    package static func starting(at now: Date, model: String, revision: Int, traffic: GatewayStatistics?) -> SampleWindow {
        SampleWindow(instance: traffic?.instance, baseline: traffic?.counters(model: model, revision: revision), startedAt: now)
    }

    /// The candidate's samples in this window; nil while the gateway cannot say.
    package func samples(model: String, revision: Int, traffic: GatewayStatistics?) -> RevisionCounters? {
        guard let traffic, traffic.instance == instance else { return nil }
        return traffic.counters(model: model, revision: revision).since(baseline)
    }
}

/// A stable revision replaced by a promotion: kept warm until `until`, then stopped.
package struct RetiringRevision: Sendable, Hashable, Codable {
    package var revision: Int
    package var replicas: [Replica]
    package var until: Date

    package init(revision: Int, replicas: [Replica], until: Date) {
        self.revision = revision
        self.replicas = replicas
        self.until = until
    }
}

/// One step of a rollout: what the candidate gets (a weight, mirrored copies) and how long
/// the step holds at least.
package struct PolicyStep: Sendable, Hashable {
    package enum Pause: Sendable, Hashable {
        /// Advances as soon as the verdict passes.
        case none
        case seconds(Double)
        /// `pause: {}`: waits for `sextant promote`.
        case untilPromoted
    }

    package var weight: Int
    package var pause: Pause
    package var phase: RolloutPhase
    package var mirrorPercent: Int?

    package init(weight: Int, pause: Pause, phase: RolloutPhase = .canary, mirrorPercent: Int? = nil) {
        self.weight = weight
        self.pause = pause
        self.phase = phase
        self.mirrorPercent = mirrorPercent
    }

    /// The canary steps: each `setWeight` begins a step; a following `pause` is that step's
    /// minimum duration. A pause before any `setWeight` holds at weight 0.
    package static func canary(_ steps: [RolloutStep]) -> [PolicyStep] {
        var result: [PolicyStep] = []
        for step in steps {
            if let weight = step.setWeight {
                result.append(PolicyStep(weight: weight, pause: .none))
            } else if let pause = step.pause {
                let hold: Pause = pause.duration.map { .seconds($0.seconds) } ?? .untilPromoted
                if let last = result.indices.last, result[last].pause == .none {
                    result[last].pause = hold
                } else {
                    result.append(PolicyStep(weight: result.last?.weight ?? 0, pause: hold))
                }
            }
        }
        return result
    }
}

/// A model's rollout policy with every default filled in (DESIGN §2 "RolloutPolicy").
package struct ResolvedPolicy: Sendable, Hashable {
    package var name: String?
    package var strategy: RolloutStrategy
    /// Every step a new revision goes through, whatever the strategy: a shadow phase (then
    /// the canary steps, if listed), the canary steps, or blueGreen's preview and its guard
    /// after the switch. Empty for `replace`.
    package var steps: [PolicyStep]
    package var headerRoute: HeaderRoute?
    /// `strategy: experiment`'s settings.
    package var experiment: ResolvedExperiment?
    package var objectives: [AnalysisObjective]
    package var interval: Double
    package var minSamples: Int
    package var maxStepDuration: Double
    package var failureLimit: Int
    package var inconclusive: InconclusiveAction
    package var automaticRollback: Bool
    package var rollbackWindow: Int
    /// `rollback.gitRevert: pullRequest`: after an automatic abort, propose Git back to what serves.
    package var gitRevert: Bool
    package var scaleDownDelay: Double

    /// The model's `serving.rollout` policy (default: replace), judged by the policy's
    /// `analysis.slos` or else the model's `serving.slos`.
    package init(_ model: Model, in manifests: ManifestSet) {
        let policy = model.spec.serving?.rollout.flatMap { manifests.rolloutPolicy(named: $0) }
        let spec = policy?.spec
        let analysis = spec?.analysis
        name = policy?.metadata.name
        strategy = spec?.strategy ?? .replace
        scaleDownDelay = (spec?.scaleDownDelay ?? RolloutPolicySpec.defaultScaleDownDelay).seconds
        let canary = PolicyStep.canary(spec?.steps ?? [])
        switch strategy {
        case .replace:
            steps = []
        case .canary:
            steps = canary.isEmpty ? [PolicyStep(weight: 0, pause: .none)] : canary
        case .shadow:
            let shadow = spec?.shadow
            steps = [PolicyStep(weight: 0, pause: .seconds(shadow?.duration?.seconds ?? Self.defaultShadowDuration), phase: .shadow,
                                mirrorPercent: shadow?.mirrorPercent ?? 100)] + canary
        case .blueGreen:
            let blueGreen = spec?.blueGreen
            steps = [PolicyStep(weight: 0, pause: .seconds(blueGreen?.previewDuration?.seconds ?? Self.defaultPreviewDuration), phase: .preview,
                                mirrorPercent: blueGreen?.mirrorPercent ?? 100),
                     PolicyStep(weight: 100, pause: .seconds(scaleDownDelay), phase: .switched)]
        case .experiment:
            let settings = spec?.experiment.map(ResolvedExperiment.init)
            experiment = settings
            steps = [PolicyStep(weight: settings?.split ?? ExperimentSpec.defaultSplit, pause: .none, phase: .experiment)]
        }
        headerRoute = spec?.headerRoute
        let sloNames = analysis?.slos ?? model.spec.serving?.slos ?? []
        objectives = sloNames.compactMap { manifests.slo(named: $0) }.flatMap(AnalysisObjective.of)
        interval = analysis?.interval?.seconds ?? 5
        minSamples = analysis?.minSamples ?? 20
        maxStepDuration = analysis?.maxStepDuration?.seconds ?? 600
        failureLimit = analysis?.failureLimit ?? 0
        inconclusive = analysis?.inconclusive ?? .pause
        automaticRollback = spec?.rollback?.automatic ?? true
        rollbackWindow = spec?.rollback?.window ?? 3
        gitRevert = spec?.rollback?.gitRevert == .pullRequest
    }

    /// `shadow.duration` and `blueGreen.previewDuration` when the policy leaves them out.
    package static let defaultShadowDuration: Double = 300
    package static let defaultPreviewDuration: Double = 60
}
