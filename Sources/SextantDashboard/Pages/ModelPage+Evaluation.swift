import Foundation
import SextantCore

extension ModelPage {
    /// Why a revision may serve (DESIGN §9): its evaluation through its own server — the
    /// metrics with their bootstrap intervals, each gate, and the permutation importance
    /// that explains it. The model card (`cardLink`) holds the rest.
    struct EvaluationView {
        struct MetricRow {
            var name: String
            var value: String
            var interval: String
        }

        struct GateRow {
            var gate: String
            var value: String
            var bounds: String
            var result: String
            var tone: String
        }

        var id: String
        var heading: String
        var summary: String
        var metrics: [MetricRow]
        var gates: [GateRow]
        var importanceChart: String
        var explanationNote: String?
        var cardLink: String

        init?(_ revision: ModelRevision?, role: String, model: String) {
            guard let revision, let evaluation = revision.evaluation else { return nil }
            id = "evaluation-r\(revision.number)"
            heading = "r\(revision.number) (v\(revision.version)), \(role)"
            let failed = evaluation.gates.filter { !$0.passed }.count
            summary = "Evaluated \(Format.time(evaluation.evaluatedAt)) UTC on \(evaluation.holdoutRows) holdout rows through its server; "
                + (failed == 0 ? "every gate passed" : "\(failed) of \(evaluation.gates.count) gates failed")
                + (evaluation.incumbent.map { $0.passed ? "; no worse than the serving revision" : "; worse than the serving revision (r\($0.revision))" } ?? "")
            let intervals = evaluation.intervals?.intervals ?? [:]
            metrics = evaluation.metrics.sorted { $0.key < $1.key }.map { name, value in
                MetricRow(name: name, value: Format.number(value),
                          interval: intervals[name].map { "[\(Format.number($0.lower)), \(Format.number($0.upper))]" } ?? "–")
            }
            gates = evaluation.gates.map { gate in
                let bounds = [gate.min.map { "≥ \(Format.number($0))" }, gate.max.map { "≤ \(Format.number($0))" }].compactMap { $0 }.joined(separator: ", ")
                return GateRow(gate: gate.metric + (gate.sensitiveFeature.map { " by \($0)" } ?? ""), value: Format.number(gate.value), bounds: bounds,
                               result: gate.passed ? "passed" : "failed", tone: gate.passed ? "good" : "bad")
            }
            if let explanations = evaluation.explanations {
                importanceChart = ImportanceBars(id: "importance-r\(revision.number)", title: "Permutation importance of r\(revision.number)",
                                                 metric: explanations.metric,
                                                 features: explanations.importances.map { ImportanceBars.Feature(name: $0.feature, mean: $0.mean, std: $0.std) }).svg
                explanationNote = "Drop of \(explanations.metric) when each feature is shuffled, \(explanations.repeats) repeats"
                    + (explanations.rows.map { " on \($0) rows" } ?? "") + "."
            } else {
                importanceChart = ""
                explanationNote = evaluation.explanationFailure.map { "No explanations: \($0)" }
            }
            cardLink = "/api/v1/models/\(Format.path(model))/card?version=\(revision.version)"
        }
    }
}
