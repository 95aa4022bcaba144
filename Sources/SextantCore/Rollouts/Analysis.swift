package import SextantWire
import Foundation
package import SextantAPI

/// The verdict of one analysis, or of one objective in it.
package enum Verdict: String, Sendable, Hashable, Codable {
    case passed = "Passed"
    case failed = "Failed"
    case inconclusive = "Inconclusive"
}

/// DESIGN §5 "Analysis": with n samples, b of them bad, N = max(minSamples, ⌈1/(1−target)⌉)
/// and allowed(k) = ⌊k·(1−target) + 1e-9⌋, the verdict fails if b > allowed(max(n, N)),
/// passes if n ≥ N, and is inconclusive otherwise. A clearly broken candidate is stopped
/// at once; one slow request among 50 cannot fail a 99% objective.
package struct SampleRule: Sendable, Hashable {
    package var target: Double
    package var minSamples: Int

    package init(target: Double, minSamples: Int) {
        self.target = target
        self.minSamples = minSamples
    }

    /// The least whole N with N·(1−target) ≥ 1 (within 1e-9), and at least `minSamples`.
    package var required: Int {
        let budget = 1 - target
        guard budget > 1e-12 else { return max(minSamples, 1) }
        var n = max(1, Int((1 / budget).rounded(.down)) - 1)
        while Double(n) * budget < 1 - 1e-9 { n += 1 }
        return max(minSamples, n)
    }

    package func allowed(_ samples: Int) -> Int {
        Int((Double(samples) * (1 - target) + 1e-9).rounded(.down))
    }

    package func verdict(samples n: Int, bad b: Int) -> Verdict {
        let needed = required
        if b > allowed(max(n, needed)) { return .failed }
        return n >= needed ? .passed : .inconclusive
    }
}

/// One SLO objective, as analysis judges it on a revision's samples.
package struct AnalysisObjective: Sendable, Hashable {
    package enum Measure: Sendable, Hashable {
        /// A sample is an answered request; it is good when `latency op value` (milliseconds).
        case latency(op: String, milliseconds: Double)
        /// A sample is a request; it is bad when it is an error.
        case errors
    }

    package var slo: String
    package var name: String
    package var measure: Measure
    package var target: Double

    package init(slo: String, name: String, measure: Measure, target: Double) {
        self.slo = slo
        self.name = name
        self.measure = measure
        self.target = target
    }

    /// The objectives of an SLO that the gateway's samples can judge (online `accuracy`
    /// needs feedback labels: a later issue).
    package static func of(_ slo: SLO) -> [AnalysisObjective] {
        let name = slo.metadata.name
        guard let spec = slo.spec.indicator?.spec else { return [] }
        var measure: Measure?
        var isLatency = false
        if let threshold = spec.thresholdMetric, threshold.metricSource.sextantQuery?.metric == SextantMetric.latency.rawValue {
            isLatency = true
        } else if spec.ratioMetric?.total?.metricSource.sextantQuery?.metric == SextantMetric.requests.rawValue {
            measure = .errors
        }
        return (slo.spec.objectives ?? []).enumerated().compactMap { index, objective in
            guard let target = objective.target ?? objective.targetPercent.map({ $0 / 100 }) else { return nil }
            let label = objective.displayName ?? "\(name) objective \(index + 1)"
            if isLatency {
                guard let op = objective.op, let value = objective.value else { return nil }
                return AnalysisObjective(slo: name, name: label, measure: .latency(op: op, milliseconds: value), target: target)
            }
            return measure.map { AnalysisObjective(slo: name, name: label, measure: $0, target: target) }
        }
    }

    /// (samples, bad samples) in counters.
    package func count(_ counters: RevisionCounters) -> (samples: Int, bad: Int) {
        switch measure {
        case .errors:
            return (Int(counters.requests), Int(counters.errors))
        case .latency(let op, let threshold):
            let good = counters.answered { latency in
                switch op {
                case "lt": latency < threshold
                case "gt": latency > threshold
                case "gte": latency >= threshold
                default: latency <= threshold
                }
            }
            let answered = counters.answered
            return (Int(answered), Int(answered - min(answered, good)))
        }
    }
}

/// What one analysis found: a verdict per objective and overall.
package struct AnalysisResult: Sendable, Hashable {
    package struct Judgement: Sendable, Hashable {
        package var objective: AnalysisObjective
        package var samples: Int
        package var bad: Int
        package var required: Int
        package var verdict: Verdict

        /// `fraud-latency p99 under 50 ms: 3 of 41 bad (41/100 samples)`.
        package var summary: String {
            "\(objective.name): \(bad) of \(samples) bad (\(min(samples, required))/\(required) samples)"
        }
    }

    package var verdict: Verdict
    package var judgements: [Judgement]

    /// Judges every objective on the samples; with no objective the verdict passes (steps
    /// then advance on time alone). Any failure fails; all passes pass.
    package static func judge(_ objectives: [AnalysisObjective], samples: RevisionCounters, minSamples: Int) -> AnalysisResult {
        let judgements = objectives.map { objective -> Judgement in
            let rule = SampleRule(target: objective.target, minSamples: minSamples)
            let (n, b) = objective.count(samples)
            return Judgement(objective: objective, samples: n, bad: b, required: rule.required, verdict: rule.verdict(samples: n, bad: b))
        }
        let verdict: Verdict = if judgements.contains(where: { $0.verdict == .failed }) {
            .failed
        } else if judgements.allSatisfy({ $0.verdict == .passed }) {
            .passed
        } else {
            .inconclusive
        }
        return AnalysisResult(verdict: verdict, judgements: judgements)
    }

    /// The samples and the furthest requirement, for status: `41/100 samples`.
    package var progress: String {
        guard let least = judgements.min(by: { Double($0.samples) / Double(max($0.required, 1)) < Double($1.samples) / Double(max($1.required, 1)) })
        else { return "no SLO to judge" }
        return "\(min(least.samples, least.required))/\(least.required) samples"
    }

    package var failures: [Judgement] { judgements.filter { $0.verdict == .failed } }
}

/// An objective's error budget over a serving revision's recent samples (OpenSLO
/// `Occurrences`): the bad samples it may have, `(1 − target) · n`, and how much is left.
package struct ErrorBudget: Sendable, Hashable {
    package var objective: AnalysisObjective
    package var samples: Int
    package var bad: Int

    package init(_ objective: AnalysisObjective, _ counters: RevisionCounters) {
        self.objective = objective
        (samples, bad) = objective.count(counters)
    }

    /// The share of the budget left (negative when overspent); nil without samples.
    package var remaining: Double? {
        guard samples > 0 else { return nil }
        let allowed = Double(samples) * (1 - objective.target)
        return allowed > 0 ? 1 - Double(bad) / allowed : (bad == 0 ? 1 : -1)
    }

    /// Spent: more bad samples than the objective allows, on enough samples to say so.
    package var spent: Bool {
        bad > SampleRule(target: objective.target, minSamples: 0).allowed(max(samples, SampleRule(target: objective.target, minSamples: 0).required))
    }

    /// `99.5% of requests succeed: 99.98% good of 12,000, 96% of the error budget left`.
    package var summary: String {
        guard let remaining else { return "\(objective.name): no samples yet" }
        let good = 100 * Double(samples - bad) / Double(samples)
        return "\(objective.name): \(String(format: "%.2f", good))% good of \(samples), "
            + (remaining < 0 ? "error budget spent (\(bad) bad)" : "\(Int((remaining * 100).rounded(.down)))% of the error budget left")
    }
}
