package import Foundation
import SextantAPI

extension ExperimentReport {
    /// The decision on these numbers (DESIGN §10): once both arms have `minSamples` values,
    /// the candidate wins when the interval — the always-valid one when `sequential`, else
    /// the fixed-horizon one — excludes 0 in the wanted direction, and loses when it excludes
    /// 0 the other way. A fixed-horizon experiment looks once: an interval holding 0 then
    /// means no difference. Without an interval (an arm without variance) it stays pending.
    /// Past `maxDuration` a pending experiment ends with no difference.
    package func judged(_ settings: ResolvedExperiment, now: Date) -> ExperimentReport {
        var report = self
        report.decision = .pending
        let enough = arms.count == 2 && arms.allSatisfy { $0.n >= settings.minSamples }
        let interval = settings.sequential ? sequentialCi : ci
        if enough {
            if let interval, interval.count == 2 {
                let better: ExperimentOutcome = settings.direction == .increase ? .candidateWins : .candidateLoses
                let worse: ExperimentOutcome = settings.direction == .increase ? .candidateLoses : .candidateWins
                if interval[0] > 0 {
                    report.decision = better
                } else if interval[1] < 0 {
                    report.decision = worse
                } else if !settings.sequential {
                    report.decision = .noDifference
                }
            }
            // No interval (an arm without variance): nothing to decide on until maxDuration.
        }
        if report.decision == .pending, now.timeIntervalSince(startedAt) >= settings.maxDuration {
            report.decision = .noDifference
        }
        return report
    }

    /// Whether the numbers are of the experiment of `rollout` (not of an earlier one).
    package func belongs(to rollout: Rollout) -> Bool {
        candidateRevision == rollout.revision && abs(startedAt.timeIntervalSince(rollout.startedAt)) < 1  // the store keeps whole seconds
    }

    /// `+0.031 [+0.008, +0.054] (always-valid), p = 0.0021`: the difference with the interval the decision uses.
    package var figures: String {
        guard let difference else { return "no difference measured yet" }
        let interval = sequential ? sequentialCi : ci
        var text = Self.signed(difference)
        if let interval, interval.count == 2 {
            text += " [\(Self.signed(interval[0])), \(Self.signed(interval[1]))]"
            text += sequential ? " (\(Self.percent(1 - alpha)) always-valid)" : " (\(Self.percent(1 - alpha)))"
        }
        if let pValue { text += ", fixed-horizon p = \(Self.pText(pValue))" }
        return text
    }

    /// `1,204 and 1,198 values` (stable, candidate).
    package var counts: String {
        "\(arm(.stable)?.n ?? 0) and \(arm(.candidate)?.n ?? 0) values (stable, candidate)"
    }

    /// What the decision says, for events and status.
    package var verdict: String {
        let r = candidateRevision.map { "r\($0)" } ?? "the candidate"
        return switch decision {
        case .pending: "\(r) vs stable on \(kpi): \(figures); \(counts), \(minSamples) each needed"
        case .candidateWins: "\(r) wins on \(kpi): \(figures); \(counts)"
        case .candidateLoses: "\(r) loses on \(kpi): \(figures); \(counts)"
        case .noDifference: "no difference on \(kpi) between \(r) and stable: \(figures); \(counts)"
        }
    }

    static func signed(_ value: Double) -> String {
        let text = String(format: "%.4g", value)
        return value > 0 ? "+" + text : text
    }

    static func percent(_ level: Double) -> String {
        let value = level * 100
        return value == value.rounded() ? "\(Int(value))%" : String(format: "%.1f%%", value)
    }

    static func pText(_ p: Double) -> String {
        p < 0.0001 ? String(format: "%.1e", p) : String(format: "%.4f", p)
    }
}
