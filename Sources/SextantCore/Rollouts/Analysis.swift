package import SextantWire
package import Foundation
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
        /// A sample is a labelled row the revision answered since the window began; it is bad
        /// when its answer was not the truth (DESIGN §7, online `accuracy`).
        case accuracy
        /// The revision's online metric over its newest labelled rows, `metric op value`;
        /// judged once `minSamples` labelled rows exist, on all of them at once.
        case onlineMetric(name: String, op: String, value: Double)
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

    /// The objectives of an SLO that the gateway's samples and the prediction log can judge.
    package static func of(_ slo: SLO) -> [AnalysisObjective] {
        let name = slo.metadata.name
        guard let spec = slo.spec.indicator?.spec else { return [] }
        let threshold = spec.thresholdMetric?.metricSource.sextantQuery.flatMap { SextantMetric(rawValue: $0.metric) }
        let counted = spec.ratioMetric?.total?.metricSource.sextantQuery?.metric == SextantMetric.requests.rawValue
        return (slo.spec.objectives ?? []).enumerated().compactMap { index, objective in
            let target = objective.target ?? objective.targetPercent.map { $0 / 100 }
            let label = objective.displayName ?? "\(name) objective \(index + 1)"
            let measure: Measure? = switch threshold {
            case .latency?: objective.op.flatMap { op in objective.value.map { .latency(op: op, milliseconds: $0) } }
            case .accuracy?: .accuracy
            case let metric? where metric.isOnlineMetric: objective.op.flatMap { op in objective.value.map { .onlineMetric(name: metric.rawValue, op: op, value: $0) } }
            default: counted ? .errors : nil
            }
            guard let measure else { return nil }
            if case .onlineMetric = measure { return AnalysisObjective(slo: name, name: label, measure: measure, target: target ?? 1) }
            return target.map { AnalysisObjective(slo: name, name: label, measure: measure, target: $0) }
        }
    }

    /// Whether `value op threshold` holds (`lt`, `gt`, `gte`; `lte` otherwise).
    static func holds(_ value: Double, _ op: String, _ threshold: Double) -> Bool {
        switch op {
        case "lt": value < threshold
        case "gt": value > threshold
        case "gte": value >= threshold
        default: value <= threshold
        }
    }

    /// (samples, bad samples) in the gateway's counters and, for online objectives, in the
    /// revision's labelled rows answered at or after `since`.
    package func count(_ counters: RevisionCounters, online: OnlineRevision? = nil, since: Date = .distantPast) -> (samples: Int, bad: Int) {
        switch measure {
        case .accuracy:
            let (samples, wrong) = online?.accuracySamples(since: since) ?? (0, 0)
            return (samples, wrong)
        case .onlineMetric(let name, let op, let threshold):
            guard let online, let value = online.metrics[name] else { return (0, 0) }
            let samples = online.outcomes.isEmpty ? online.labelledRows : online.outcomes.count
            return (samples, Self.holds(value, op, threshold) ? 0 : samples)
        case .errors:
            return (Int(counters.requests), Int(counters.errors))
        case .latency(let op, let threshold):
            let good = counters.answered { Self.holds($0, op, threshold) }
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
    /// `online` is the revision's labelled rows; `since`, when its sample window began.
    package static func judge(_ objectives: [AnalysisObjective], samples: RevisionCounters, online: OnlineRevision? = nil, since: Date = .distantPast,
                              minSamples: Int) -> AnalysisResult {
        let judgements = objectives.map { objective -> Judgement in
            let (n, b) = objective.count(samples, online: online, since: since)
            if case .onlineMetric = objective.measure {
                // One value on all the labelled rows: it decides once there are enough of them.
                let required = max(1, minSamples)
                let verdict: Verdict = n < required ? .inconclusive : (b > 0 ? .failed : .passed)
                return Judgement(objective: objective, samples: n, bad: b, required: required, verdict: verdict)
            }
            let rule = SampleRule(target: objective.target, minSamples: minSamples)
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

    package init(_ objective: AnalysisObjective, _ counters: RevisionCounters, online: OnlineRevision? = nil) {
        self.objective = objective
        (samples, bad) = objective.count(counters, online: online)
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
