import Foundation
import SextantAPI

extension RetrainEvidence {
    /// The most a pull request body holds (GitHub's limit, DESIGN §8).
    package static let markdownLimit = 65_536

    /// The evidence as a pull request body, Renovate-like: the verdict, what triggered the
    /// retraining, the data, the metric table with deltas, the candidate's explanations and
    /// model card in brief. At most `limit` characters
    /// (cut at a line, saying so).
    package func markdown(limit: Int = markdownLimit) -> String {
        var lines: [String] = []
        lines.append("## Retraining `\(model)`: v\(candidate.version) against serving r\(serving.revision) (v\(serving.version))")
        lines.append("")
        lines.append("**\(candidateIsBetter ? "Better" : "Not better")**: \(verdict).")
        lines.append("")
        lines.append("### What triggered it")
        lines.append("")
        lines.append("| trigger | evidence |")
        lines.append("|---|---|")
        for reason in reasons { lines.append("| \(reason.trigger.rawValue) | \(cell(reason.summary)) |") }
        lines.append("")
        lines.append("### Data")
        lines.append("")
        lines.append("| | |")
        lines.append("|---|---|")
        lines.append("| dataset | `\(data.dataset)` |")
        lines.append("| table | `\(cell(data.location))` |")
        lines.append("| sha256 | `\(data.sha256)`" + (data.previousSha256.map { " (serving trained on `\($0)`)" } ?? "") + " |")
        lines.append("| rows | \(data.datasetRows) from the dataset + \(data.addedRows) labelled production rows |")
        lines.append("| recency holdout | \(data.recencyRows) newest labelled production rows, not trained on |")
        lines.append("| contract | \(data.checks) checks passed |")
        lines.append("")
        lines.append("### Candidate v\(candidate.version) against serving r\(serving.revision)")
        lines.append("")
        lines.append("| metric | holdout v\(candidate.version) | holdout r\(serving.revision) | Δ | recency v\(candidate.version) | recency r\(serving.revision) | Δ |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|")
        let decidingMetric = deciding?.metric.metric
        for row in metrics {
            let name = row.metric == decidingMetric ? "**\(row.metric)**" : row.metric
            lines.append("| \(name) | \(number(row.holdout.candidate)) | \(number(row.holdout.serving)) | \(delta(row.holdout.delta)) "
                         + "| \(number(row.recency.candidate)) | \(number(row.recency.serving)) | \(delta(row.recency.delta)) |")
        }
        lines.append("")
        lines.append("The serving revision answers the holdout only for the incumbent rule's metric; on the recency holdout its answers are the ones it logged.")
        if !gates.isEmpty {
            lines.append("")
            lines.append("### Gates")
            lines.append("")
            for gate in gates { lines.append("- \(gate.passed ? "✅" : "❌") \(gate.summary)") }
        }
        if let card { lines += cardLines(card) }
        var body = ""
        for line in lines {
            let next = line + "\n"
            let notice = "\n_… cut at \(limit) characters._\n"
            if body.count + next.count + notice.count > limit {
                body += notice
                break
            }
            body += next
        }
        return body
    }

    /// The candidate's model card in brief: explanations, metrics with their 95% intervals,
    /// slices and classified columns (`sextant card` shows the whole card).
    private func cardLines(_ card: CardSummary) -> [String] {
        var lines = ["", "### Explanations of v\(candidate.version)", ""]
        lines += ModelCard.importanceLines(card.explanations, limit: CardSummary.topFeatures)
        lines += ["", "### Model card of v\(candidate.version) (summary)", ""]
        let whole = card.metrics.filter { $0.slice == nil }
        if !whole.isEmpty {
            lines += ["| metric | holdout | 95% CI |", "|---|---:|---|"]
            lines += whole.map { "| \($0.type) | \(ModelCard.number($0.value)) | \($0.confidenceInterval.map(ModelCard.interval) ?? "—") |" }
            lines.append("")
        }
        if let missing = card.intervalsMissing { lines += ["Confidence intervals: \(missing).", ""] }
        let sliced = card.metrics.filter { $0.slice != nil }
        if let missing = card.slicesMissing {
            lines += ["Per-slice metrics: \(missing).", ""]
        } else if !sliced.isEmpty {
            lines += ["| slice | rows | metric | value |", "|---|---:|---|---:|"]
            lines += sliced.map { "| `\($0.slice!)` | \($0.rows.map(String.init) ?? "—") | \($0.type) | \(ModelCard.number($0.value)) |" }
            lines.append("")
        }
        lines.append(card.privacy.isEmpty ? "Classified columns: none used."
                     : "Classified columns: " + card.privacy.map { "`\($0.column)` (\($0.classification): \(cell($0.reason ?? "no reason given")))" }.joined(separator: ", ") + ".")
        lines += ["", "`sextant card \(model) --version \(candidate.version)` shows the whole card."]
        return lines
    }

    private func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
    private func number(_ value: Double?) -> String { value.map(formatMetric) ?? "—" }
    private func delta(_ value: Double?) -> String {
        guard let value else { return "—" }
        return (value > 0 ? "+" : "") + formatMetric(value)
    }
}
