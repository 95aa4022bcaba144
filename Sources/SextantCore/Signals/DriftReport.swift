package import Foundation
import SextantAPI

/// A model's drift (DESIGN §7 "Drift"): the serving version's reference sample against the
/// newest logged rows of the revisions that serve it, feature by feature, and the dataset's
/// verdict. Encodes as `sextant drift -o json` and `GET /api/v1/models/{name}/drift` print it.
/// Without a verdict (no reference kept, too few current rows) `datasetDrift` is null and
/// `reason` says why.
package struct DriftReport: Sendable, Hashable, Codable {
    package var model: String
    /// The version whose reference sample is compared; nil when nothing serves.
    package var version: Int?
    /// The revisions whose logged rows are the current sample.
    package var revisions: [Int]
    package var computedAt: Date
    package var reference: Reference
    package var current: Current
    /// The configured share of drifted features from which the dataset drifts.
    package var driftShare: Double
    /// Drifted features / features; nil without a verdict.
    package var driftedShare: Double?
    /// nil without a verdict.
    package var datasetDrift: Bool?
    package var features: [FeatureVerdict]
    /// The same test on the `predict` output (nil without a reference of the version's answers).
    package var prediction: FeatureVerdict?
    /// Features left out of the comparison, and why (a classified number: its keyed hashes
    /// keep no order to compare); not counted in `driftedShare`. nil when every feature is
    /// judged.
    package var notJudged: [NotJudged]?
    /// Why there is no verdict (or why the prediction is not compared); nil otherwise.
    package var reason: String?

    package struct Reference: Sendable, Hashable, Codable {
        package var rows: Int

        package init(rows: Int) {
            self.rows = rows
        }
    }

    package struct Current: Sendable, Hashable, Codable {
        package var rows: Int
        /// When the oldest and the newest compared row were answered.
        package var from: Date?
        package var until: Date?

        package init(rows: Int, from: Date? = nil, until: Date? = nil) {
            self.rows = rows
            self.from = from
            self.until = until
        }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(rows, forKey: .rows)
            try container.encode(from, forKey: .from)
            try container.encode(until, forKey: .until)
        }
    }

    /// One feature's (or the prediction's) verdict.
    package struct FeatureVerdict: Sendable, Hashable, Codable {
        package var name: String
        /// `numerical` or `categorical`.
        package var kind: String
        /// `ks`, `chiSquare`, `zTest`, `wasserstein`, `jensenShannon` or `psi`.
        package var method: String
        /// The p-value (`ks`, `chiSquare`, `zTest`) or the distance.
        package var statistic: Double
        package var threshold: Double
        package var drifted: Bool
        /// Why no test could be made (a side without values).
        package var note: String?
        /// Both sides' shares on common bins, for the dashboard's chart; nil in reports from
        /// before it was kept.
        package var histogram: Histogram?

        /// Each side's share of values per bin (SextantML's `DriftHistogram`).
        package struct Histogram: Sendable, Hashable, Codable {
            package var bins: [String]
            package var reference: [Double]
            package var current: [Double]

            package init(bins: [String], reference: [Double], current: [Double]) {
                self.bins = bins
                self.reference = reference
                self.current = current
            }
        }

        package init(name: String, kind: String, method: String, statistic: Double, threshold: Double, drifted: Bool, note: String? = nil) {
            self.name = name
            self.kind = kind
            self.method = method
            self.statistic = statistic
            self.threshold = threshold
            self.drifted = drifted
            self.note = note
        }
    }

    /// A feature the report does not judge.
    package struct NotJudged: Sendable, Hashable, Codable {
        package var name: String
        package var reason: String

        package init(name: String, reason: String) {
            self.name = name
            self.reason = reason
        }
    }

    package init(model: String, version: Int?, revisions: [Int], computedAt: Date, reference: Reference, current: Current, driftShare: Double,
                driftedShare: Double? = nil, datasetDrift: Bool? = nil, features: [FeatureVerdict] = [], prediction: FeatureVerdict? = nil,
                notJudged: [NotJudged]? = nil, reason: String? = nil) {
        self.model = model
        self.version = version
        self.revisions = revisions
        self.computedAt = computedAt
        self.reference = reference
        self.current = current
        self.driftShare = driftShare
        self.driftedShare = driftedShare
        self.datasetDrift = datasetDrift
        self.features = features
        self.prediction = prediction
        self.notJudged = notJudged
        self.reason = reason
    }

    /// No verdict, and why.
    package static func noVerdict(model: String, version: Int?, revisions: [Int], at now: Date, referenceRows: Int = 0, current: Current = Current(rows: 0),
                                  driftShare: Double, reason: String) -> DriftReport {
        DriftReport(model: model, version: version, revisions: revisions, computedAt: now, reference: Reference(rows: referenceRows),
                    current: current, driftShare: driftShare, reason: reason)
    }

    /// What `sextant drift` and the API show for a model without a report in status.
    package static func absent(model: String, status: ObjectStatus?, at now: Date) -> DriftReport {
        noVerdict(model: model, version: status?.model?.stableVersion, revisions: status?.model?.stableRevision.map { [$0] } ?? [], at: now,
                  driftShare: DriftSpec.defaultDriftShare,
                  reason: status?.model?.stableRevision == nil
                      ? "nothing serves yet: drift is judged on the logged rows of the revisions that serve"
                      : "no drift report: drift is judged for models with spec.monitoring.drift (or retrain.on: [drift]); the first report comes with the next pass")
    }

    enum CodingKeys: String, CodingKey {
        case model, version, revisions, computedAt, reference, current, driftShare, driftedShare, datasetDrift, features, prediction, notJudged, reason
    }

    /// Every key of DESIGN §7 is present (null when unknown); `notJudged` and `reason` only
    /// when there is one.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(model, forKey: .model)
        try container.encode(version, forKey: .version)
        try container.encode(revisions, forKey: .revisions)
        try container.encode(computedAt, forKey: .computedAt)
        try container.encode(reference, forKey: .reference)
        try container.encode(current, forKey: .current)
        try container.encode(driftShare, forKey: .driftShare)
        try container.encode(driftedShare, forKey: .driftedShare)
        try container.encode(datasetDrift, forKey: .datasetDrift)
        try container.encode(features, forKey: .features)
        try container.encode(prediction, forKey: .prediction)
        try container.encodeIfPresent(notJudged, forKey: .notJudged)
        try container.encodeIfPresent(reason, forKey: .reason)
    }

    /// The drifted features' names, in the report's order.
    package var driftedFeatures: [String] { features.filter(\.drifted).map(\.name) }

    /// "3 of 5 features (60% ≥ 50%)": the share against the configured one.
    package var shareSummary: String {
        let drifted = driftedFeatures.count
        let share = driftedShare ?? 0
        return "\(drifted) of \(features.count) feature\(features.count == 1 ? "" : "s") (\(percent(share)) \(datasetDrift == true ? "≥" : "<") \(percent(driftShare)))"
    }

    private func percent(_ share: Double) -> String {
        let value = share * 100
        return value.rounded() == value ? "\(Int(value))%" : String(format: "%.1f%%", value)
    }
}
