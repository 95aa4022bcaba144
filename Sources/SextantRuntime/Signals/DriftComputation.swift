import Foundation
import SextantAPI
import SextantCore
import SextantML
import SextantMonitoring

/// One drift report (DESIGN §7 "Drift"): the newest `window` decoded rows of the serving
/// revisions against the version's reference sample, each feature as its contract type
/// reads it, and the `predict` output against the version's answers on the holdout. Pure:
/// the caller reads the files and runs it off the cooperative pool.
enum DriftComputation {
    static func report(model: String, query: DriftQuery, task: SextantAPI.ModelTask, reference: ReferenceSample?,
                       rows: [PredictionRow], at now: Date) -> DriftReport {
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
        let features = query.features.enumerated().map { index, feature in
            // A classified feature's logged values and reference are keyed hashes: categories.
            let type = feature.isClassified ? .string : feature.logicalType.columnType
            return DriftColumn(name: feature.name, type: type,
                               reference: DriftValues(fields: reference.columns[feature.name] ?? [], type: type),
                               current: DriftValues(logged: current.map { $0.values.features.indices.contains(index) ? $0.values.features[index] : .null },
                                                    type: type))
        }
        let predictionType: ColumnType = task == .regression ? .number : .string
        let prediction = reference.predictions.map { answers in
            DriftColumn(name: "predict", type: predictionType, reference: DriftValues(fields: answers, type: predictionType),
                        current: DriftValues(logged: current.map { $0.values.predict ?? .null }, type: predictionType))
        }
        let options = DriftOptions(method: DriftTest(query.method), threshold: query.threshold, driftShare: query.driftShare)
        let result = DriftAnalysis.run(features: features, prediction: prediction, options: options)
        return DriftReport(model: model, version: query.version, revisions: query.revisions, computedAt: now,
                           reference: DriftReport.Reference(rows: reference.rows), current: span, driftShare: query.driftShare,
                           driftedShare: result.driftedShare, datasetDrift: result.datasetDrift,
                           features: result.features.map(DriftReport.FeatureVerdict.init), prediction: result.prediction.map(DriftReport.FeatureVerdict.init))
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
