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
    package var headerRoute: HeaderRoute?
    package var analysis: AnalysisSpec?
    package var rollback: RollbackSpec?
    package var scaleDownDelay: ManifestDuration?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case strategy, steps, blueGreen, shadow, headerRoute, analysis, rollback, scaleDownDelay
    }

    package static let defaultScaleDownDelay = ManifestDuration("30s")!
}

package enum RolloutStrategy: String, ManifestEnum {
    case replace, canary, blueGreen, shadow
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
