package import Foundation
package import SextantAPI

/// An experiment's settings with every default filled in (DESIGN §10).
package struct ResolvedExperiment: Sendable, Hashable {
    package var split: Int
    package var unitHeader: String?
    package var kpi: String
    package var kind: KPIKind
    package var direction: KPIDirection
    package var minSamples: Int
    package var maxDuration: Double
    package var alpha: Double
    package var sequential: Bool
    package var decision: ExperimentDecision

    package init(_ spec: ExperimentSpec) {
        split = spec.split ?? ExperimentSpec.defaultSplit
        unitHeader = spec.unit?.header
        kpi = spec.kpi.name
        kind = spec.kpi.kind
        direction = spec.kpi.direction ?? .increase
        minSamples = spec.minSamples ?? ExperimentSpec.defaultMinSamples
        maxDuration = (spec.maxDuration ?? ExperimentSpec.defaultMaxDuration).seconds
        alpha = spec.alpha ?? ExperimentSpec.defaultAlpha
        sequential = spec.sequential ?? true
        decision = spec.decision ?? .promoteWinner
    }

    /// `converted (proportion, increase): 50% of units by X-User-Id, ≥ 100 values per arm, up to 7d, α 0.05, sequential, promoteWinner`.
    package var summary: String {
        "\(kpi) (\(kind.rawValue), \(direction.rawValue)): \(split)% of \(unitHeader.map { "units by \($0)" } ?? "requests") to the candidate, "
            + "≥ \(minSamples) values per arm, up to \(ManifestDuration.describe(maxDuration)), α \(alpha), "
            + "\(sequential ? "sequential" : "fixed horizon"), \(decision.rawValue)"
    }
}

/// What a signal source measures for a running experiment: the KPI values joined to the
/// requests each arm answered since `since`.
package struct ExperimentQuery: Sendable, Hashable {
    package var settings: ResolvedExperiment
    package var stable: Int
    package var candidate: Int
    package var since: Date
    /// GrowthBook's tuning parameter N* of the confidence sequence.
    package var tuning: Double

    package init(settings: ResolvedExperiment, stable: Int, candidate: Int, since: Date, tuning: Double = 5000) {
        self.settings = settings
        self.stable = stable
        self.candidate = candidate
        self.since = since
        self.tuning = tuning
    }

    /// A report with no numbers yet, for `model`.
    package func emptyReport(model: String, message: String? = nil) -> ExperimentReport {
        ExperimentReport(model: model, kpi: settings.kpi, kind: settings.kind, direction: settings.direction,
                         arms: [ExperimentArm(revision: stable, role: .stable), ExperimentArm(revision: candidate, role: .candidate)],
                         sequential: settings.sequential, policy: settings.decision, alpha: settings.alpha, minSamples: settings.minSamples,
                         split: settings.split, unit: settings.unitHeader, startedAt: since, message: message)
    }
}
