import Foundation

/// The documents packaged with a version: a model card (markdown, for people) and the
/// evaluation report (JSON, for tools): data, metrics, gates, fairness and lineage.
package struct ModelCard: Sendable, Codable, Hashable {
    package struct Gate: Sendable, Codable, Hashable {
        package var metric: String
        package var value: Double?
        package var min: Double?
        package var max: Double?
        package var passed: Bool

        package init(metric: String, value: Double?, min: Double?, max: Double?, passed: Bool) {
            self.metric = metric
            self.value = value
            self.min = min
            self.max = max
            self.passed = passed
        }
    }

    package var model: String
    package var version: Int
    package var task: String
    package var trainer: String
    package var target: String
    package var features: [String]
    package var dataset: String
    package var datasetSha256: String
    package var contract: String
    package var trainingRows: Int
    package var holdoutRows: Int
    /// Holdout metrics by name.
    package var metrics: [String: Double]
    package var gates: [Gate]
    /// The sensitive columns the fairness gates judged.
    package var sensitiveFeatures: [String]
    package var commit: String
    package var fingerprint: String

    package init(model: String, version: Int, task: String, trainer: String, target: String, features: [String], dataset: String,
                datasetSha256: String, contract: String, trainingRows: Int, holdoutRows: Int, metrics: [String: Double], gates: [Gate],
                sensitiveFeatures: [String], commit: String, fingerprint: String) {
        self.model = model
        self.version = version
        self.task = task
        self.trainer = trainer
        self.target = target
        self.features = features
        self.dataset = dataset
        self.datasetSha256 = datasetSha256
        self.contract = contract
        self.trainingRows = trainingRows
        self.holdoutRows = holdoutRows
        self.metrics = metrics
        self.gates = gates
        self.sensitiveFeatures = sensitiveFeatures
        self.commit = commit
        self.fingerprint = fingerprint
    }

    /// `evaluation.json`.
    package var report: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try! encoder.encode(self)) + [UInt8(ascii: "\n")]
    }

    /// `MODEL_CARD.md`.
    package var markdown: String {
        func number(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "—" }
        var lines = [
            "# \(model) v\(version)", "",
            "A \(task) model trained by `\(trainer)` to predict `\(target)`.", "",
            "## Data", "",
            "- dataset `\(dataset)`, SHA-256 `\(datasetSha256)`",
            "- contract \(contract)",
            "- \(trainingRows) training rows, \(holdoutRows) held out for evaluation",
            "- features: " + features.map { "`\($0)`" }.joined(separator: ", "), "",
            "## Evaluation (holdout, through the serving path)", "",
            "| metric | value |", "|---|---|",
        ]
        lines += metrics.keys.sorted().map { "| `\($0)` | \(number(metrics[$0])) |" }
        lines += ["", "## Gates", ""]
        if gates.isEmpty {
            lines.append("No gates.")
        } else {
            lines += ["| metric | value | min | max | result |", "|---|---|---|---|---|"]
            lines += gates.map { "| `\($0.metric)` | \(number($0.value)) | \(number($0.min)) | \(number($0.max)) | \($0.passed ? "passed" : "FAILED") |" }
        }
        lines += ["", "## Fairness", ""]
        lines.append(sensitiveFeatures.isEmpty ? "No sensitive columns were judged."
                     : "Judged across the values of " + sensitiveFeatures.map { "`\($0)`" }.joined(separator: ", ") + " (see the gates above).")
        lines += ["", "## Lineage", "", "- commit `\(commit)`", "- training fingerprint `\(fingerprint)`", ""]
        return lines.joined(separator: "\n")
    }
}
