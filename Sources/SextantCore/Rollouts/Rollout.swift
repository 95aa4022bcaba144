public import Foundation
public import SextantAPI

/// A canary in flight, persisted with the model so a restarted daemon resumes it at the
/// same step, split and sample window.
public struct Rollout: Sendable, Hashable, Codable {
    /// The candidate.
    public var revision: Int
    public var version: Int
    public var replicas: [Replica]
    /// The index of the current step (of `CanaryStep.steps`).
    public var step: Int
    /// The candidate's share of traffic, in percent.
    public var weight: Int
    public var startedAt: Date
    public var stepStartedAt: Date
    public var window: SampleWindow
    /// Failed verdicts so far (within `failureLimit` each restarts the window).
    public var failures: Int
    /// Why it waits for `sextant promote` (a `pause: {}`, an inconclusive step).
    public var suspended: String?
    /// Who asked to promote or abort (taken by the next pass).
    public var promoteRequested: String?
    public var abortRequested: String?

    public init(revision: Int, version: Int, replicas: [Replica], step: Int, weight: Int, startedAt: Date, window: SampleWindow,
                failures: Int = 0, suspended: String? = nil) {
        self.revision = revision
        self.version = version
        self.replicas = replicas
        self.step = step
        self.weight = weight
        self.startedAt = startedAt
        self.stepStartedAt = startedAt
        self.window = window
        self.failures = failures
        self.suspended = suspended
    }
}

/// Where a step's samples begin: the gateway instance and its counters of the candidate
/// at that moment (the samples are what was counted since).
public struct SampleWindow: Sendable, Hashable, Codable {
    public var instance: String?
    public var baseline: RevisionCounters?
    public var startedAt: Date

    public init(instance: String?, baseline: RevisionCounters?, startedAt: Date) {
        self.instance = instance
        self.baseline = baseline
        self.startedAt = startedAt
    }

    /// A window beginning now, on what the gateway has counted so far.
    public static func starting(at now: Date, model: String, revision: Int, traffic: GatewayStatistics?) -> SampleWindow {
        SampleWindow(instance: traffic?.instance, baseline: traffic?.counters(model: model, revision: revision), startedAt: now)
    }

    /// The candidate's samples in this window; nil while the gateway cannot say.
    public func samples(model: String, revision: Int, traffic: GatewayStatistics?) -> RevisionCounters? {
        guard let traffic, traffic.instance == instance else { return nil }
        return traffic.counters(model: model, revision: revision).since(baseline)
    }
}

/// A stable revision replaced by a promotion: kept warm until `until`, then stopped.
public struct RetiringRevision: Sendable, Hashable, Codable {
    public var revision: Int
    public var replicas: [Replica]
    public var until: Date

    public init(revision: Int, replicas: [Replica], until: Date) {
        self.revision = revision
        self.replicas = replicas
        self.until = until
    }
}

/// One canary step: the candidate's weight and how long it holds at least.
public struct CanaryStep: Sendable, Hashable {
    public enum Pause: Sendable, Hashable {
        /// Advances as soon as the verdict passes.
        case none
        case seconds(Double)
        /// `pause: {}`: waits for `sextant promote`.
        case untilPromoted
    }

    public var weight: Int
    public var pause: Pause

    /// Each `setWeight` begins a step; a following `pause` is that step's minimum duration.
    /// A pause before any `setWeight` holds at weight 0.
    public static func steps(_ steps: [RolloutStep]) -> [CanaryStep] {
        var result: [CanaryStep] = []
        for step in steps {
            if let weight = step.setWeight {
                result.append(CanaryStep(weight: weight, pause: .none))
            } else if let pause = step.pause {
                let hold: Pause = pause.duration.map { .seconds($0.seconds) } ?? .untilPromoted
                if let last = result.indices.last, result[last].pause == .none {
                    result[last].pause = hold
                } else {
                    result.append(CanaryStep(weight: result.last?.weight ?? 0, pause: hold))
                }
            }
        }
        return result
    }
}

/// A model's rollout policy with every default filled in (DESIGN §2 "RolloutPolicy").
public struct ResolvedPolicy: Sendable, Hashable {
    public var name: String?
    public var strategy: RolloutStrategy
    public var steps: [CanaryStep]
    public var headerRoute: HeaderRoute?
    public var objectives: [AnalysisObjective]
    public var interval: Double
    public var minSamples: Int
    public var maxStepDuration: Double
    public var failureLimit: Int
    public var inconclusive: InconclusiveAction
    public var automaticRollback: Bool
    public var rollbackWindow: Int
    public var scaleDownDelay: Double

    /// The model's `serving.rollout` policy (default: replace), judged by the policy's
    /// `analysis.slos` or else the model's `serving.slos`.
    public init(_ model: Model, in manifests: ManifestSet) {
        let policy = model.spec.serving?.rollout.flatMap { manifests.rolloutPolicy(named: $0) }
        let spec = policy?.spec
        let analysis = spec?.analysis
        name = policy?.metadata.name
        strategy = spec?.strategy ?? .replace
        steps = CanaryStep.steps(spec?.steps ?? [])
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
        scaleDownDelay = (spec?.scaleDownDelay ?? RolloutPolicySpec.defaultScaleDownDelay).seconds
    }
}
