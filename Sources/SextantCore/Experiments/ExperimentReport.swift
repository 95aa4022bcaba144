package import Foundation
package import SextantAPI

/// Where an experiment stands (DESIGN §10), as `sextant experiment MODEL -o json`, the API
/// and status print it: each arm's KPI values, the difference candidate − stable with its
/// fixed-horizon interval and p-value, the always-valid interval the decision uses when
/// `sequential`, and the decision.
package struct ExperimentReport: Sendable, Hashable, Codable {
    package var model: String
    /// The KPI's name (the feedback `kpi` key).
    package var kpi: String
    package var kind: KPIKind
    package var direction: KPIDirection
    /// Stable first, then the candidate.
    package var arms: [ExperimentArm]
    /// candidate mean − stable mean; nil until both arms have two values.
    package var difference: Double?
    /// The fixed-horizon (1 − alpha) interval of the difference: SciPy's Welch interval, or
    /// the pooled two-proportion one.
    package var ci: [Double]?
    /// The two-sided fixed-horizon p-value (SciPy's `ttest_ind(equal_var=False)`,
    /// statsmodels' `proportions_ztest`).
    package var pValue: Double?
    /// Whether the decision uses the always-valid confidence sequence.
    package var sequential: Bool
    /// The always-valid (1 − alpha) interval (GrowthBook's, N* = 5000); nil when not sequential.
    package var sequentialCi: [Double]?
    package var decision: ExperimentOutcome
    /// What a winner gets: `promoteWinner` or `report`.
    package var policy: ExperimentDecision
    package var alpha: Double
    package var minSamples: Int
    /// The candidate's percent of units.
    package var split: Int
    /// The header whose value is the unit; nil: each request is one.
    package var unit: String?
    package var startedAt: Date
    /// When the decision was taken; nil while pending.
    package var concludedAt: Date?
    /// KPI values left out: not 0 or 1 for a `proportion` KPI.
    package var excluded: Int
    /// Why there are no numbers yet, or what the decision rests on, in words.
    package var message: String?

    package init(model: String, kpi: String, kind: KPIKind, direction: KPIDirection, arms: [ExperimentArm], difference: Double? = nil, ci: [Double]? = nil,
                pValue: Double? = nil, sequential: Bool, sequentialCi: [Double]? = nil, decision: ExperimentOutcome = .pending,
                policy: ExperimentDecision, alpha: Double, minSamples: Int, split: Int, unit: String?, startedAt: Date, concludedAt: Date? = nil,
                excluded: Int = 0, message: String? = nil) {
        self.model = model
        self.kpi = kpi
        self.kind = kind
        self.direction = direction
        self.arms = arms
        self.difference = difference
        self.ci = ci
        self.pValue = pValue
        self.sequential = sequential
        self.sequentialCi = sequentialCi
        self.decision = decision
        self.policy = policy
        self.alpha = alpha
        self.minSamples = minSamples
        self.split = split
        self.unit = unit
        self.startedAt = startedAt
        self.concludedAt = concludedAt
        self.excluded = excluded
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case model, kpi, kind, direction, arms, difference, ci, pValue, sequential, sequentialCi, decision, policy, alpha, minSamples, split, unit
        case startedAt, concludedAt, excluded, message
    }

    /// Every key is written, `null` when it does not apply (the JSON's shape does not change).
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(model, forKey: .model)
        try container.encode(kpi, forKey: .kpi)
        try container.encode(kind, forKey: .kind)
        try container.encode(direction, forKey: .direction)
        try container.encode(arms, forKey: .arms)
        try container.encode(difference, forKey: .difference)
        try container.encode(ci, forKey: .ci)
        try container.encode(pValue, forKey: .pValue)
        try container.encode(sequential, forKey: .sequential)
        try container.encode(sequentialCi, forKey: .sequentialCi)
        try container.encode(decision, forKey: .decision)
        try container.encode(policy, forKey: .policy)
        try container.encode(alpha, forKey: .alpha)
        try container.encode(minSamples, forKey: .minSamples)
        try container.encode(split, forKey: .split)
        try container.encode(unit, forKey: .unit)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(concludedAt, forKey: .concludedAt)
        try container.encode(excluded, forKey: .excluded)
        try container.encode(message, forKey: .message)
    }

    package func arm(_ role: ExperimentArm.Role) -> ExperimentArm? { arms.first { $0.role == role } }

    /// The candidate's revision.
    package var candidateRevision: Int? { arm(.candidate)?.revision }
}

/// One arm of an experiment: the KPI values joined to the requests its revision answered
/// since the experiment began.
package struct ExperimentArm: Sendable, Hashable, Codable {
    package enum Role: String, Sendable, Hashable, Codable {
        case stable, candidate
    }

    package var revision: Int
    package var role: Role
    /// Distinct assignment units among those values (requests, without a unit header).
    package var units: Int
    /// KPI values.
    package var n: Int
    /// nil without values.
    package var mean: Double?
    /// The sample standard deviation (ddof 1); nil under two values.
    package var std: Double?

    package init(revision: Int, role: Role, units: Int = 0, n: Int = 0, mean: Double? = nil, std: Double? = nil) {
        self.revision = revision
        self.role = role
        self.units = units
        self.n = n
        self.mean = mean
        self.std = std
    }

    enum CodingKeys: String, CodingKey {
        case revision, role, units, n, mean, std
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(revision, forKey: .revision)
        try container.encode(role, forKey: .role)
        try container.encode(units, forKey: .units)
        try container.encode(n, forKey: .n)
        try container.encode(mean, forKey: .mean)
        try container.encode(std, forKey: .std)
    }
}

/// An experiment's decision.
package enum ExperimentOutcome: String, Sendable, Hashable, Codable {
    /// Collecting: too few values, or the interval still holds 0.
    case pending
    /// The interval excludes 0 in the wanted direction.
    case candidateWins
    /// The interval excludes 0 the other way.
    case candidateLoses
    /// `maxDuration` passed, or the single fixed-horizon look found no difference.
    case noDifference

    package var isConcluded: Bool { self != .pending }
}
