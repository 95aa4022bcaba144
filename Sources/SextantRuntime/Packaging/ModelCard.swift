import Foundation

/// The documents packaged with a version: a model card (markdown, for people) and the
/// evaluation report (JSON, for tools): data, metrics, gates, fairness and lineage.
public struct ModelCard: Sendable, Codable, Hashable {
    public struct Gate: Sendable, Codable, Hashable {
        public var metric: String
        public var value: Double?
        public var min: Double?
        public var max: Double?
        public var passed: Bool

        public init(metric: String, value: Double?, min: Double?, max: Double?, passed: Bool) {
            self.metric = metric
            self.value = value
            self.min = min
            self.max = max
            self.passed = passed
        }
    }

    public var model: String
    public var version: Int
    public var task: String
    public var trainer: String
    public var target: String
    public var features: [String]
    public var dataset: String
    public var datasetSha256: String
    public var contract: String
    public var trainingRows: Int
    public var holdoutRows: Int
    /// Holdout metrics by name.
    public var metrics: [String: Double]
    public var gates: [Gate]
    /// The sensitive columns the fairness gates judged.
    public var sensitiveFeatures: [String]
    public var commit: String
    public var fingerprint: String

    public init(model: String, version: Int, task: String, trainer: String, target: String, features: [String], dataset: String,
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
    public var report: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try! encoder.encode(self)) + [UInt8(ascii: "\n")]
    }

    /// `MODEL_CARD.md`.
    public var markdown: String {
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
