package import Foundation
package import SextantAPI

/// What a model's registry holds: every version trained and every revision evaluated,
/// with their lineage (DESIGN §2 "Versions" and "Revisions", §4 `history`). Never pruned.
package struct ModelRegistry: Sendable, Hashable, Codable {
    package var model: String
    package var versions: [ModelVersion]
    package var revisions: [ModelRevision]

    package init(model: String, versions: [ModelVersion] = [], revisions: [ModelRevision] = []) {
        self.model = model
        self.versions = versions
        self.revisions = revisions
    }

    package func version(fingerprint: String) -> ModelVersion? { versions.first { $0.fingerprint == fingerprint } }
    package func version(_ number: Int) -> ModelVersion? { versions.first { $0.number == number } }
    package func revision(_ number: Int) -> ModelRevision? { revisions.first { $0.number == number } }
    package func revision(version: Int, servingFingerprint: String) -> ModelRevision? {
        revisions.first { $0.version == version && $0.servingFingerprint == servingFingerprint }
    }

    package var nextVersion: Int { (versions.map(\.number).max() ?? 0) + 1 }
    package var nextRevision: Int { (revisions.map(\.number).max() ?? 0) + 1 }
}

/// What was trained: one training fingerprint.
package struct ModelVersion: Sendable, Hashable, Codable {
    package var number: Int
    package var fingerprint: String
    /// The commit whose manifests trained it.
    package var commit: String
    package var datasetSha256: String
    package var contractSha256: String
    /// `logistic-regression`, or the external command line.
    package var trainer: String
    /// The trained files, relative to the state directory (`models/NAME/vN`).
    package var modelDirectory: String
    package var trainingRows: Int
    package var holdoutRows: Int
    /// The manifest's features, in its order and with the contract's types: what `predict`
    /// sends when the server's metadata lists no inputs (nil in older records).
    package var features: [FeatureColumn]?
    /// A classifier's class labels in sorted order: what `predict` labels probabilities by
    /// when the answer does not name them (nil in older records).
    package var classes: [String]?
    /// The manifest's task: what `sextant predictions` decodes and scores logged rows as
    /// (nil in older records).
    package var task: ModelTask?
    /// The ModelPack manifest digest once packaged.
    package var artifactDigest: String?
    /// Trained by a retraining (DESIGN §7), not for a commit: it serves only once Git pins
    /// its data (nil in other versions).
    package var retrainingCandidate: Bool?
    package var createdAt: Date

    package init(number: Int, fingerprint: String, commit: String, datasetSha256: String, contractSha256: String, trainer: String,
                modelDirectory: String, trainingRows: Int, holdoutRows: Int, features: [FeatureColumn]? = nil, classes: [String]? = nil,
                task: ModelTask? = nil, artifactDigest: String? = nil, retrainingCandidate: Bool? = nil, createdAt: Date) {
        self.retrainingCandidate = retrainingCandidate
        self.number = number
        self.fingerprint = fingerprint
        self.commit = commit
        self.datasetSha256 = datasetSha256
        self.contractSha256 = contractSha256
        self.trainer = trainer
        self.modelDirectory = modelDirectory
        self.trainingRows = trainingRows
        self.holdoutRows = holdoutRows
        self.features = features
        self.classes = classes
        self.task = task
        self.artifactDigest = artifactDigest
        self.createdAt = createdAt
    }
}

/// How a version is served: a version plus a serving fingerprint, judged through that path.
package struct ModelRevision: Sendable, Hashable, Codable {
    package var number: Int
    package var version: Int
    package var servingFingerprint: String
    /// The commit whose serving spec made it.
    package var commit: String
    /// How it is started.
    package var servingLaunch: ServingLaunch?
    /// The last evaluation (a gates-only change replaces it).
    package var evaluation: Evaluation?
    /// When it took traffic.
    package var served: [ServedInterval]
    package var createdAt: Date

    package init(number: Int, version: Int, servingFingerprint: String, commit: String, servingLaunch: ServingLaunch?, evaluation: Evaluation? = nil,
                served: [ServedInterval] = [], createdAt: Date) {
        self.number = number
        self.version = version
        self.servingFingerprint = servingFingerprint
        self.commit = commit
        self.servingLaunch = servingLaunch
        self.evaluation = evaluation
        self.served = served
        self.createdAt = createdAt
    }
}

/// A span during which a revision took live traffic: as the stable one (100%), or as a
/// canary's weighted share. Mirrored copies (shadow, blueGreen preview) are not serving.
package struct ServedInterval: Sendable, Hashable, Codable {
    package var from: Date
    /// Nil while it serves.
    package var until: Date?
    /// The largest share of traffic it took in the span, in percent.
    package var peakWeight: Int

    package init(from: Date, until: Date? = nil, peakWeight: Int = 100) {
        self.from = from
        self.until = until
        self.peakWeight = peakWeight
    }

    /// Whether it took all traffic (was the stable revision) at some point of the span.
    package var wasStable: Bool { peakWeight >= 100 }

    /// Intervals recorded before exposure was measured were the stable revision's.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        from = try container.decode(Date.self, forKey: .from)
        until = try container.decodeIfPresent(Date.self, forKey: .until)
        peakWeight = try container.decodeIfPresent(Int.self, forKey: .peakWeight) ?? 100
    }
}

extension ModelRevision {
    /// Whether it ever was the stable revision (not only a canary's share).
    package var wasStable: Bool { served.contains(where: \.wasStable) }
}

extension ModelRegistry {
    /// `revision` takes `weight`% of live traffic from `time` on: its open interval keeps
    /// its peak, or one opens (nothing for 0%: mirrored copies are not serving).
    package mutating func expose(_ revision: Int, weight: Int, at time: Date) {
        guard let index = revisions.firstIndex(where: { $0.number == revision }) else { return }
        if let last = revisions[index].served.indices.last, revisions[index].served[last].until == nil {
            revisions[index].served[last].peakWeight = max(revisions[index].served[last].peakWeight, weight)
        } else if weight > 0 {
            revisions[index].served.append(ServedInterval(from: time, peakWeight: weight))
        }
    }

    /// `revision` becomes the stable one at `time`: `previous` stops serving.
    package mutating func moveAllTraffic(from previous: Int?, to revision: Int, at time: Date) {
        if previous != revision { withdraw(previous, at: time) }
        expose(revision, weight: 100, at: time)
    }

    /// `revision`'s replicas were started or rescaled with `autoscaling` (nil: a fixed
    /// count): its launch keeps it, so a later change of Git's alone rescales it again.
    package mutating func recordAutoscaling(_ autoscaling: ServingAutoscaling?, of revision: Int) {
        guard let index = revisions.firstIndex(where: { $0.number == revision }) else { return }
        revisions[index].servingLaunch?.autoscaling = autoscaling
    }

    /// `revision` takes no traffic from `time` on: its open interval ends.
    package mutating func withdraw(_ revision: Int?, at time: Date) {
        guard let revision, let index = revisions.firstIndex(where: { $0.number == revision }),
              let last = revisions[index].served.indices.last, revisions[index].served[last].until == nil else { return }
        revisions[index].served[last].until = time
    }
}

/// A revision's evaluation on the holdout, through its serving path.
package struct Evaluation: Sendable, Hashable, Codable {
    /// The fingerprint of what was judged: version, serving, gates and incumbent rule.
    package var fingerprint: String
    package var metrics: [String: Double]
    package var gates: [GateResult]
    package var incumbent: IncumbentResult?
    package var holdoutRows: Int
    /// How long answering the holdout took once the server was ready (inference only), and its rate.
    package var seconds: Double
    /// How long the candidate's private server took to get ready (nil in records from
    /// before it was measured, whose `seconds` include it).
    package var startupSeconds: Double?
    package var evaluatedAt: Date
    /// Permutation importance and SHAP (DESIGN §9); nil when they could not be computed
    /// (`explanationFailure` says why) and in records from before they were.
    package var explanations: Explanations?
    /// Why there are no explanations.
    package var explanationFailure: String?
    /// How long explaining took: the permuted holdouts and the SHAP pass, with the intervals
    /// and slices (nil in older records).
    package var explanationSeconds: Double?
    /// `evaluation.explainability: required`: a revision without explanations fails.
    package var explanationsRequired: Bool?
    /// 95% bootstrap intervals of the metrics (nil in older records).
    package var intervals: MetricIntervals?
    /// The metrics per value of every sensitive feature (nil in older records).
    package var slices: [SliceMetrics]?

    package init(fingerprint: String, metrics: [String: Double], gates: [GateResult], incumbent: IncumbentResult?, holdoutRows: Int,
                seconds: Double, startupSeconds: Double? = nil, evaluatedAt: Date, explanations: Explanations? = nil,
                explanationFailure: String? = nil, explanationsRequired: Bool? = nil, intervals: MetricIntervals? = nil,
                slices: [SliceMetrics]? = nil, explanationSeconds: Double? = nil) {
        self.explanationSeconds = explanationSeconds
        self.fingerprint = fingerprint
        self.metrics = metrics
        self.gates = gates
        self.incumbent = incumbent
        self.holdoutRows = holdoutRows
        self.seconds = seconds
        self.startupSeconds = startupSeconds
        self.evaluatedAt = evaluatedAt
        self.explanations = explanations
        self.explanationFailure = explanationFailure
        self.explanationsRequired = explanationsRequired
        self.intervals = intervals
        self.slices = slices
    }

    /// Whether explanations were required and are missing.
    package var lacksRequiredExplanations: Bool { explanationsRequired == true && explanations == nil }

    package var passed: Bool { gates.allSatisfy(\.passed) && (incumbent?.passed ?? true) && !lacksRequiredExplanations }

    /// Each failed gate with its value and limit: `auc 0.81 < min 0.90`.
    package var failures: [String] {
        var lines = gates.filter { !$0.passed }.map(\.summary)
        if let incumbent, !incumbent.passed { lines.append(incumbent.summary) }
        if lacksRequiredExplanations {
            lines.append("explanations are required (evaluation.explainability) but could not be computed: \(explanationFailure ?? "no reason recorded")")
        }
        return lines
    }
}

package struct GateResult: Sendable, Hashable, Codable {
    package var metric: String
    package var sensitiveFeature: String?
    package var value: Double?
    package var min: Double?
    package var max: Double?
    package var passed: Bool

    package init(metric: String, sensitiveFeature: String? = nil, value: Double?, min: Double?, max: Double?, passed: Bool) {
        self.metric = metric
        self.sensitiveFeature = sensitiveFeature
        self.value = value
        self.min = min
        self.max = max
        self.passed = passed
    }

    package var summary: String {
        let name = metric + (sensitiveFeature.map { " by \($0)" } ?? "")
        guard let value else { return "\(name) is undefined on the holdout" }
        var limits: [String] = []
        if let min { limits.append("min \(formatMetric(min))") }
        if let max { limits.append("max \(formatMetric(max))") }
        return "\(name) \(formatMetric(value)) \(passed ? "meets" : "breaks") \(limits.joined(separator: ", "))"
    }
}

/// The candidate against the revision that serves, on the same holdout.
package struct IncumbentResult: Sendable, Hashable, Codable {
    package var revision: Int
    package var metric: String
    /// The incumbent's value.
    package var value: Double?
    /// The candidate's value.
    package var candidate: Double?
    package var maxRegression: Double
    package var passed: Bool

    package init(revision: Int, metric: String, value: Double?, candidate: Double?, maxRegression: Double, passed: Bool) {
        self.revision = revision
        self.metric = metric
        self.value = value
        self.candidate = candidate
        self.maxRegression = maxRegression
        self.passed = passed
    }

    package var summary: String {
        "\(metric) \(candidate.map(formatMetric) ?? "undefined") vs \(value.map(formatMetric) ?? "undefined") of serving r\(revision)"
            + " (max regression \(formatMetric(maxRegression)))"
    }
}

/// A metric as people read it: four decimals, no trailing zeros.
package func formatMetric(_ value: Double) -> String {
    guard value.isFinite else { return String(value) }
    var text = String(format: "%.4f", value)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
}
