/// How a new revision takes traffic, in the Argo Rollouts vocabulary. `kind: RolloutPolicy`.
package struct RolloutPolicy: Decodable, Sendable, Hashable {
    package var apiVersion: String
    package var kind: String
    package var metadata: ObjectMeta
    package var spec: RolloutPolicySpec

    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiVersion, kind, metadata, spec
    }
}

package struct RolloutPolicySpec: Decodable, Sendable, Hashable {
    package var strategy: RolloutStrategy
    package var steps: [RolloutStep]?
    package var blueGreen: BlueGreenSpec?
    package var shadow: ShadowSpec?
    package var experiment: ExperimentSpec?
    package var headerRoute: HeaderRoute?
    package var analysis: AnalysisSpec?
    package var rollback: RollbackSpec?
    package var scaleDownDelay: ManifestDuration?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case strategy, steps, blueGreen, shadow, experiment, headerRoute, analysis, rollback, scaleDownDelay
    }

    package static let defaultScaleDownDelay = ManifestDuration("30s")!
}

package enum RolloutStrategy: String, ManifestEnum {
    case replace, canary, blueGreen, shadow, experiment
}

/// One entry of `steps`: exactly one of `setWeight` or `pause`.
package struct RolloutStep: Decodable, Sendable, Hashable {
    package var setWeight: Int?
    package var pause: PauseStep?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case setWeight, pause
    }
}

/// `pause: {duration: 30s}`, or `pause: {}` to wait for `sextant promote`.
package struct PauseStep: Decodable, Sendable, Hashable {
    package var duration: ManifestDuration?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case duration
    }
}

package struct BlueGreenSpec: Decodable, Sendable, Hashable {
    package var previewDuration: ManifestDuration?
    package var mirrorPercent: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case previewDuration, mirrorPercent
    }
}

package struct ShadowSpec: Decodable, Sendable, Hashable {
    package var mirrorPercent: Int?
    package var duration: ManifestDuration?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case mirrorPercent, duration
    }
}

/// `strategy: experiment` (DESIGN §10): the candidate against the stable revision on a
/// business KPI, split by a sticky unit, decided with an always-valid interval.
package struct ExperimentSpec: Decodable, Sendable, Hashable {
    /// Percent of assignment units sent to the candidate (default 50).
    package var split: Int?
    /// What is assigned: a header's value (one unit always gets the same arm); absent: each request.
    package var unit: ExperimentUnit?
    package var kpi: KPISpec
    /// KPI values each arm needs before any decision (default 100).
    package var minSamples: Int?
    /// How long the experiment may run before it ends without a winner (default 7d).
    package var maxDuration: ManifestDuration?
    /// The false-positive rate the decision keeps (default 0.05).
    package var alpha: Double?
    /// Decide on the always-valid confidence sequence at every analysis (default true); false:
    /// decide once, on the fixed-horizon interval, when both arms reach `minSamples`.
    package var sequential: Bool?
    package var decision: ExperimentDecision?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case split, unit, kpi, minSamples, maxDuration, alpha, sequential, decision
    }

    package static let defaultSplit = 50
    package static let defaultMinSamples = 100
    package static let defaultMaxDuration = ManifestDuration("7d")!
    package static let defaultAlpha = 0.05
}

/// `unit: {header: X-User-Id}`.
package struct ExperimentUnit: Decodable, Sendable, Hashable {
    package var header: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case header
    }
}

/// `kpi: {name: converted, kind: proportion, direction: increase}`: the feedback `kpi` value
/// the experiment compares.
package struct KPISpec: Decodable, Sendable, Hashable {
    package var name: String
    package var kind: KPIKind
    /// Which way is better (default increase).
    package var direction: KPIDirection?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, kind, direction
    }
}

/// A KPI's values: any number (`mean`, Welch's test) or 0/1 (`proportion`, the pooled
/// two-proportion test).
package enum KPIKind: String, ManifestEnum {
    case proportion, mean
}

package enum KPIDirection: String, ManifestEnum {
    case increase, decrease
}

/// What a concluded experiment does with a winner.
package enum ExperimentDecision: String, ManifestEnum {
    /// The winning candidate is promoted.
    case promoteWinner
    /// The result is reported and the rollout waits for `sextant promote` or `sextant abort`.
    case report
}

/// Requests carrying this header always go to the candidate.
package struct HeaderRoute: Decodable, Sendable, Hashable {
    package var name: String
    package var value: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, value
    }
}

package struct AnalysisSpec: Decodable, Sendable, Hashable {
    /// Default: the model's `serving.slos`.
    package var slos: [String]?
    package var interval: ManifestDuration?
    package var minSamples: Int?
    package var maxStepDuration: ManifestDuration?
    package var failureLimit: Int?
    package var inconclusive: InconclusiveAction?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case slos, interval, minSamples, maxStepDuration, failureLimit, inconclusive
    }
}

package enum InconclusiveAction: String, ManifestEnum {
    case pause, rollback, promote
}

package struct RollbackSpec: Decodable, Sendable, Hashable {
    package var automatic: Bool?
    package var window: Int?
    /// After an automatic abort: propose the Model as it was in Git (DESIGN §8).
    package var gitRevert: GitRevert?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case automatic, window, gitRevert
    }
}

/// `rollback.gitRevert`: what an automatic abort writes to Git.
package enum GitRevert: String, ManifestEnum {
    /// The `sextant/rollback/MODEL` branch and its pull request (the branch alone without a forge).
    case pullRequest
    /// Nothing (default): Git still names the aborted revision until someone changes it.
    case none
}
