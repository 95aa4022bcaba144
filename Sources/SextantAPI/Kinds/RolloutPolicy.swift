/// How a new revision takes traffic, in the Argo Rollouts vocabulary. `kind: RolloutPolicy`.
public struct RolloutPolicy: Decodable, Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var metadata: ObjectMeta
    public var spec: RolloutPolicySpec

    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiVersion, kind, metadata, spec
    }
}

public struct RolloutPolicySpec: Decodable, Sendable, Hashable {
    public var strategy: RolloutStrategy
    public var steps: [RolloutStep]?
    public var blueGreen: BlueGreenSpec?
    public var shadow: ShadowSpec?
    public var headerRoute: HeaderRoute?
    public var analysis: AnalysisSpec?
    public var rollback: RollbackSpec?
    public var scaleDownDelay: ManifestDuration?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case strategy, steps, blueGreen, shadow, headerRoute, analysis, rollback, scaleDownDelay
    }

    public static let defaultScaleDownDelay = ManifestDuration("30s")!
}

public enum RolloutStrategy: String, ManifestEnum {
    case replace, canary, blueGreen, shadow
}

/// One entry of `steps`: exactly one of `setWeight` or `pause`.
public struct RolloutStep: Decodable, Sendable, Hashable {
    public var setWeight: Int?
    public var pause: PauseStep?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case setWeight, pause
    }
}

/// `pause: {duration: 30s}`, or `pause: {}` to wait for `sextant promote`.
public struct PauseStep: Decodable, Sendable, Hashable {
    public var duration: ManifestDuration?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case duration
    }
}

public struct BlueGreenSpec: Decodable, Sendable, Hashable {
    public var previewDuration: ManifestDuration?
    public var mirrorPercent: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case previewDuration, mirrorPercent
    }
}

public struct ShadowSpec: Decodable, Sendable, Hashable {
    public var mirrorPercent: Int?
    public var duration: ManifestDuration?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case mirrorPercent, duration
    }
}

/// Requests carrying this header always go to the candidate.
public struct HeaderRoute: Decodable, Sendable, Hashable {
    public var name: String
    public var value: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, value
    }
}

public struct AnalysisSpec: Decodable, Sendable, Hashable {
    /// Default: the model's `serving.slos`.
    public var slos: [String]?
    public var interval: ManifestDuration?
    public var minSamples: Int?
    public var maxStepDuration: ManifestDuration?
    public var failureLimit: Int?
    public var inconclusive: InconclusiveAction?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case slos, interval, minSamples, maxStepDuration, failureLimit, inconclusive
    }
}

public enum InconclusiveAction: String, ManifestEnum {
    case pause, rollback, promote
}

public struct RollbackSpec: Decodable, Sendable, Hashable {
    public var automatic: Bool?
    public var window: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case automatic, window
    }
}
