import Foundation
import SextantCore

/// A drift report as text (`sextant drift`, and the Drift section of `sextant get`).
enum DriftRenderer {
    static func text(_ report: DriftReport, now: Date) -> String {
        var lines = [heading(report, now: now)]
        if report.datasetDrift != nil {
            lines += [""] + TextTable.lines(table(report)) + [""]
            lines += (report.notJudged ?? []).map { "not judged: \($0.name) (\($0.reason))" }
        }
        lines.append(summary(report))
        return lines.joined(separator: "\n") + "\n"
    }

    /// Which version against which rows, and when.
    static func heading(_ report: DriftReport, now: Date) -> String {
        let version = report.version.map { "v\($0)" } ?? "no version"
        let revisions = report.revisions.isEmpty ? "" : " (" + report.revisions.map { "r\($0)" }.joined(separator: ", ") + ")"
        let span = report.current.from.flatMap { from in report.current.until.map { "\(iso8601(from)) to \(iso8601($0))" } }
        return "\(report.model): \(version)\(revisions), \(report.reference.rows) reference rows against the newest \(report.current.rows) logged rows"
            + (span.map { " (\($0))" } ?? "") + "; computed \(StatusRenderer.age(from: report.computedAt, to: now)) ago"
    }

    /// FEATURE KIND METHOD STATISTIC THRESHOLD DRIFTED, the prediction last.
    static func table(_ report: DriftReport) -> [[String]] {
        func row(_ verdict: DriftReport.FeatureVerdict, name: String) -> [String] {
            [name, verdict.kind, verdict.method, statistic(verdict.statistic), statistic(verdict.threshold),
             (verdict.drifted ? "yes" : "no") + (verdict.note.map { " (\($0))" } ?? "")]
        }
        return [["FEATURE", "KIND", "METHOD", "STATISTIC", "THRESHOLD", "DRIFTED"]]
            + report.features.map { row($0, name: $0.name) }
            + (report.prediction.map { [row($0, name: "\($0.name) (prediction)")] } ?? [])
    }

    /// `dataset drift: yes — 3 of 5 features (60% ≥ 50%)`, or why there is no verdict.
    static func summary(_ report: DriftReport) -> String {
        guard let drifted = report.datasetDrift else { return "no verdict: \(report.reason ?? "no drift report yet")" }
        return "dataset drift: \(drifted ? "yes" : "no") — \(report.shareSummary)"
    }

    /// A p-value or a distance: four decimals, tiny p-values in scientific notation.
    static func statistic(_ value: Double) -> String {
        if value != 0, abs(value) < 0.0001 { return String(format: "%.2e", value) }
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
