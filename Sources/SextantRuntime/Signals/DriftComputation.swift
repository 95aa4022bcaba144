import Foundation
import SextantAPI
import SextantCore
import SextantML
import SextantMonitoring

/// One drift report (DESIGN §7 "Drift"): the newest `window` decoded rows of the serving
/// revisions against the version's reference sample, each feature as its contract type
/// reads it, and the `predict` output against the version's answers on the holdout. Pure:
/// the caller reads the files and runs it off the cooperative pool.
///
/// A classified feature's values are keyed hashes on both sides. Hashing keeps equality, so
/// a text or boolean feature compares as categories; it loses order and distance, so a
/// number or an integer is not judged (every amount would be a category of its own, and
/// drift would always fire). Nor is a feature the log hashes and the reference does not,
/// or the reverse (its classification changed since the version was trained).
enum DriftComputation {
    /// - Parameter hashed: the features the prediction log holds as keyed hashes (what the
    ///   gateway hashes now).
    static func report(model: String, query: DriftQuery, task: SextantAPI.ModelTask, reference: ReferenceSample?,
                       rows: [PredictionRow], hashed: Set<String>, at now: Date) -> DriftReport {
        let current = Array(rows.lazy.filter { query.revisions.contains($0.revision) }.suffix(query.window))
        let span = DriftReport.Current(rows: current.count, from: current.map(\.time).min(), until: current.map(\.time).max())
        func noVerdict(_ reason: String) -> DriftReport {
            .noVerdict(model: model, version: query.version, revisions: query.revisions, at: now, referenceRows: reference?.rows ?? 0,
                       current: span, driftShare: query.driftShare, reason: reason)
        }
        guard let reference else {
            return noVerdict("v\(query.version) has no reference sample (it was trained before Sextant kept one): a version trained now keeps one")
        }
        guard current.count >= DriftQuery.minimumCurrentRows else {
            let revisions = query.revisions.map { "r\($0)" }.joined(separator: ", ")
            return noVerdict("\(current.count) logged row\(current.count == 1 ? "" : "s") of \(revisions.isEmpty ? "the serving revisions" : revisions) so far; "
                             + "a verdict needs at least \(DriftQuery.minimumCurrentRows)")
        }
        var features: [DriftColumn] = []
        var notJudged: [DriftReport.NotJudged] = []
        for (index, feature) in query.features.enumerated() {
            if let reason = Self.notJudged(feature, logHashes: hashed.contains(feature.name), version: query.version) {
                notJudged.append(DriftReport.NotJudged(name: feature.name, reason: reason))
                continue
            }
            // A classified feature's logged values and reference are keyed hashes: categories.
            let type = feature.isClassified ? .string : feature.logicalType.columnType
            features.append(DriftColumn(name: feature.name, type: type,
                                        reference: DriftValues(fields: reference.columns[feature.name] ?? [], type: type),
                                        current: DriftValues(logged: current.map { $0.values.features.indices.contains(index) ? $0.values.features[index] : .null },
                                                             type: type)))
        }
        let predictionType: ColumnType = task == .regression ? .number : .string
        let prediction = reference.predictions.map { answers in
            DriftColumn(name: "predict", type: predictionType, reference: DriftValues(fields: answers, type: predictionType),
                        current: DriftValues(logged: current.map { $0.values.predict ?? .null }, type: predictionType))
        }
        let options = DriftOptions(method: DriftTest(query.method), threshold: query.threshold, driftShare: query.driftShare)
        let result = DriftAnalysis.run(features: features, prediction: prediction, options: options)
        let histograms = Dictionary((features + (prediction.map { [$0] } ?? [])).map { column in
            (column.name, DriftHistogram(reference: column.reference, current: column.current).map {
                DriftReport.FeatureVerdict.Histogram(bins: $0.bins, reference: $0.reference, current: $0.current)
            })
        }, uniquingKeysWith: { first, _ in first })
        func verdict(_ drift: FeatureDrift) -> DriftReport.FeatureVerdict {
            var verdict = DriftReport.FeatureVerdict(drift)
            verdict.histogram = histograms[drift.name] ?? nil
            return verdict
        }
        return DriftReport(model: model, version: query.version, revisions: query.revisions, computedAt: now,
                           reference: DriftReport.Reference(rows: reference.rows), current: span, driftShare: query.driftShare,
                           driftedShare: result.driftedShare, datasetDrift: result.datasetDrift,
                           features: result.features.map(verdict), prediction: result.prediction.map(verdict),
                           notJudged: notJudged.isEmpty ? nil : notJudged)
    }

    /// Why a feature is left out of the comparison; nil when it is compared.
    static func notJudged(_ feature: SextantCore.FeatureColumn, logHashes: Bool, version: Int) -> String? {
        func held(_ hashes: Bool) -> String { hashes ? "as keyed hashes" : "in clear" }
        if logHashes != feature.isClassified {
            return "the prediction log holds it \(held(logHashes)) and v\(version)'s reference sample \(held(feature.isClassified)): "
                + "its classification changed, and the version trained for it compares"
        }
        if feature.isClassified, feature.logicalType.isNumeric {
            return "classified \(feature.logicalType.rawValue): logged as keyed hashes, which keep no order or distance to compare numbers by"
        }
        return nil
    }
}

extension DriftTest {
    /// The manifest's method; nil for `auto` (Evidently's default rule chooses).
    init?(_ method: DriftMethod) {
        switch method {
        case .auto: return nil
        case .ks: self = .ks
        case .chiSquare: self = .chiSquare
        case .zTest: self = .zTest
        case .wasserstein: self = .wasserstein
        case .jensenShannon: self = .jensenShannon
        case .psi: self = .psi
        }
    }
}

extension DriftReport.FeatureVerdict {
    init(_ drift: FeatureDrift) {
        self.init(name: drift.name, kind: drift.kind.rawValue, method: drift.method.rawValue, statistic: drift.statistic,
                  threshold: drift.threshold, drifted: drift.drifted, note: drift.note)
    }
}
