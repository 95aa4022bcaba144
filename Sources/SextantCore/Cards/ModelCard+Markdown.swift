import Foundation
import SextantAPI
import SextantYAML

extension ModelCard {
    /// `model-card.md`: a Hugging Face model card. YAML front matter with `tags`,
    /// `datasets`, `metrics` and a `model-index` of the holdout metrics, then the sections
    /// people read: details, intended use, limitations, ethical considerations, data,
    /// evaluation with 95% intervals, per-slice metrics, explanations, privacy, lineage.
    package var markdown: String {
        var lines = ["---", frontMatter.trimmingCharacters(in: .newlines), "---", ""]
        let details = modelDetails, parameters = modelParameters, analysis = quantitativeAnalysis
        let lineage = details.lineage
        lines += ["# \(details.name) \(details.version.name)", "", details.overview, ""]

        lines += ["## Model details", ""]
        lines.append("- task: \(parameters.task?.rawValue ?? "not recorded")")
        lines.append("- architecture: `\(parameters.modelArchitecture)`")
        lines.append("- target: " + (parameters.target.map { "`\($0)`" } ?? "not recorded"))
        lines.append("- features: " + (parameters.features.isEmpty ? "not recorded" : parameters.features.map { "`\($0.name)` (\($0.type.rawValue))" }.joined(separator: ", ")))
        lines += ["- input: \(parameters.inputFormat)", "- output: \(parameters.outputFormat)", "- trained: \(details.version.date)", ""]

        lines += section("Intended use", considerations.useCases.map(\.description), annotation: .intendedUse)
        lines += section("Limitations", considerations.limitations.map(\.description), annotation: .limitations)
        lines += ["## Ethical considerations", ""]
        if considerations.notStated.contains(ModelCardContext.Consideration.ethicalConsiderations.rawValue) {
            lines.append("Not stated (annotation `\(ModelCardContext.Consideration.ethicalConsiderations.rawValue)`).")
            if !considerations.ethicalConsiderations.isEmpty { lines.append("") }
        }
        lines += considerations.ethicalConsiderations.map { "- \($0.name). Mitigation: \($0.mitigationStrategy)." }
        lines.append("")

        lines += ["## Training data", ""]
        if let train = parameters.data.first(where: { $0.description == "train" }) {
            lines.append("- dataset: `\(train.name)`, SHA-256 `\(lineage.datasetSha256)`")
            lines.append("- contract: " + (lineage.contract ?? "not recorded") + " (SHA-256 `\(lineage.contractSha256)`)")
            let eval = parameters.data.first { $0.description == "eval" }
            lines.append("- \(train.rows) training rows, \(eval?.rows ?? analysis.evaluation.holdoutRows) held out for evaluation")
            if let sensitive = train.sensitive { lines += sensitive.sensitiveData.map { "- \($0)" } }
        }
        lines.append("")

        lines += ["## Evaluation", ""]
        let whole = analysis.performanceMetrics.filter { $0.slice == nil }
        let facts = analysis.evaluation
        if whole.isEmpty {
            lines.append("No metrics: " + (facts.intervalsMissing ?? "none were defined on the holdout") + ".")
        } else {
            let confidence = facts.confidence.map { "\(Int(($0 * 100).rounded()))% CI" } ?? "95% CI"
            lines.append("On \(facts.holdoutRows) held-out rows, through the serving path"
                         + (facts.resamples.map { "; intervals from \($0) bootstrap resamples (seed \(facts.seed ?? 0))" } ?? "") + ".")
            lines += ["", "| metric | value | \(confidence) |", "|---|---|---|"]
            lines += whole.map { "| `\($0.type)` | \(Self.number($0.value)) | \($0.confidenceInterval.map(Self.interval) ?? "—") |" }
            if let missing = facts.intervalsMissing { lines += ["", "Confidence intervals: \(missing)."] }
        }
        if !facts.gates.isEmpty {
            lines += ["", "Gates:", ""]
            lines += facts.gates.map { "- \(Self.gateSummary($0))" }
        }
        lines.append("")

        lines += ["## Per-slice metrics", ""]
        let sliced = analysis.performanceMetrics.filter { $0.slice != nil }
        if let missing = facts.slicesMissing {
            lines.append("Per-slice metrics: \(missing).")
        } else if facts.sensitiveFeatures.isEmpty {
            lines.append("No sensitive features: the Model's gates name none.")
        } else {
            let names = Array(Set(sliced.map(\.type))).sorted()
            let slices = sliced.reduce(into: [String]()) { if !$0.contains($1.slice!) { $0.append($1.slice!) } }
            lines += ["| slice | rows | " + names.joined(separator: " | ") + " |", "|---|---|" + String(repeating: "---|", count: names.count)]
            for slice in slices {
                let row = sliced.filter { $0.slice == slice }
                lines.append("| `\(slice)` | \(row.first?.rows.map(String.init) ?? "—") | "
                             + names.map { name in row.first { $0.type == name }.map { Self.number($0.value) } ?? "—" }.joined(separator: " | ") + " |")
            }
        }
        lines.append("")

        lines += ["## Explanations", ""]
        lines += Self.importanceLines(analysis.explanations, limit: nil)
        lines.append("")

        lines += ["## Privacy", ""]
        if considerations.privacy.isEmpty {
            lines.append("The Model uses no classified column.")
        } else {
            lines += ["| column | classification | reason |", "|---|---|---|"]
            lines += considerations.privacy.map { "| `\($0.column)` | \($0.classification) | \(Self.cell($0.reason ?? "no reason given")) |" }
        }
        lines.append("")

        lines += ["## Lineage", ""]
        lines.append("- commit `\(lineage.commit)`")
        lines.append("- training fingerprint `\(lineage.fingerprint)`")
        if let revision = lineage.revision {
            lines.append("- evaluated as revision r\(revision)" + (lineage.servingFingerprint.map { " (serving fingerprint `\($0)`)" } ?? ""))
        }
        lines.append("- dataset SHA-256 `\(lineage.datasetSha256)`")
        lines.append("- contract " + (lineage.contract ?? "not recorded") + ", SHA-256 `\(lineage.contractSha256)`")
        lines.append("- trainer `\(lineage.trainer)`")
        lines.append("- artifact `\(lineage.artifactTag)`" + (lineage.weightsDigest.map { ", weights layer `\($0)`" } ?? " (not packaged)"))
        lines.append("- created \(lineage.createdAt.formatted(.iso8601))")
        lines.append("")
        return lines.joined(separator: "\n")
    }

    /// The importance table in Markdown (the card's, and a pull request's top `limit`), or
    /// why there is none.
    package static func importanceLines(_ table: ExplanationTable, limit: Int?) -> [String] {
        guard table.missing == nil, !table.importances.isEmpty else {
            return ["Explanations: \(table.missing ?? "no features were permuted")."]
        }
        let shown = limit.map { Array(table.importances.prefix($0)) } ?? table.importances
        let hasShap = table.importances.contains { $0.meanAbsoluteShap != nil }
        let sample = table.rows.map { " (a seeded sample of \($0) rows)" } ?? ""
        var lines = ["Permutation importance on the holdout\(sample): the drop in `\(table.metric ?? "the metric")` when a feature's column is shuffled, "
                     + "mean ± std over \(table.repeats ?? 0) repeats (seed \(table.seed ?? 0))"
                     + (hasShap ? "; mean |SHAP| in the model's raw output units" : "") + ".", ""]
        lines.append(hasShap ? "| feature | importance | mean abs SHAP |" : "| feature | importance |")
        lines.append(hasShap ? "|---|---|---|" : "|---|---|")
        for importance in shown {
            let cell = "\(Self.number(importance.mean)) ± \(Self.number(importance.std))"
            lines.append("| `\(importance.feature)` | \(cell) |" + (hasShap ? " \(importance.meanAbsoluteShap.map(Self.number) ?? "—") |" : ""))
        }
        if shown.count < table.importances.count {
            lines += ["", "\(table.importances.count - shown.count) more feature\(table.importances.count - shown.count == 1 ? "" : "s") in the model card."]
        }
        return lines
    }

    private func section(_ title: String, _ items: [String], annotation: ModelCardContext.Consideration) -> [String] {
        var lines = ["## \(title)", ""]
        lines += items.isEmpty ? ["Not stated (annotation `\(annotation.rawValue)`)."] : items.map { "- \($0)" }
        return lines + [""]
    }

    /// `0.981`: three decimals, as cards print metrics.
    package static func number(_ value: Double) -> String {
        value.isFinite ? String(format: "%.3f", value) : String(value)
    }

    /// `[0.972, 0.989]`.
    package static func interval(_ interval: ConfidenceInterval) -> String {
        "[\(number(interval.lowerBound)), \(number(interval.upperBound))]"
    }

    private static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    /// The Hugging Face metadata: `model-index` holds one result (the task on the holdout
    /// of the dataset) with every holdout metric, named with its interval.
    var frontMatter: String {
        let mark = SourceMark(line: 1, column: 1)
        func text(_ value: String) -> YAMLNode { YAMLNode(.scalar(Scalar(value)), mark: mark) }
        func number(_ value: Double) -> YAMLNode { YAMLNode(.scalar(Scalar(value.isFinite ? "\(value)" : ".nan")), mark: mark) }
        func list(_ items: [YAMLNode]) -> YAMLNode { YAMLNode(.sequence(items), mark: mark) }
        func map(_ pairs: [(String, YAMLNode)]) -> YAMLNode {
            YAMLNode(.mapping(pairs.map { YAMLNode.Pair(key: text($0.0), value: $0.1) }), mark: mark)
        }
        let task = modelParameters.task.map { $0 == .regression ? "tabular-regression" : "tabular-classification" } ?? "tabular-classification"
        let taskName = task == "tabular-regression" ? "Tabular Regression" : "Tabular Classification"
        let dataset = modelParameters.data.first?.name ?? modelDetails.name
        // Fairness metrics (`demographicParityRatio[region]`) are not metric ids: the card's tables show them.
        let metrics = quantitativeAnalysis.performanceMetrics.filter { $0.slice == nil && !$0.type.contains("[") }
        var pairs: [(String, YAMLNode)] = [("tags", list([text("sextant"), text(task)] + (modelParameters.task.map { [text($0.rawValue)] } ?? [])))]
        pairs.append(("datasets", list([text(dataset)])))
        pairs.append(("metrics", list(metrics.map { text($0.type) })))
        let results = map([
            ("task", map([("type", text(task)), ("name", text(taskName))])),
            ("dataset", map([("type", text(dataset)), ("name", text("\(dataset) (holdout)")), ("split", text("holdout")),
                             ("revision", text(modelDetails.lineage.datasetSha256))])),
            ("metrics", list(metrics.map { metric in
                map([("type", text(metric.type)), ("value", number(metric.value)),
                     ("name", text("holdout \(metric.type)" + (metric.confidenceInterval.map { " (95% CI \(Self.interval($0)))" } ?? "")))])
            })),
        ])
        pairs.append(("model-index", list([map([("name", text(modelDetails.name)), ("results", list([results]))])])))
        return YAMLEmitter.emit(map(pairs))
    }
}
