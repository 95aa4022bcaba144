import Foundation
import SextantAPI
import SextantCore

/// An experiment report (DESIGN §10) as `sextant experiment` prints it: the settings and the
/// decision in words, a table of the two arms, then the difference with its intervals.
///
/// Numbers keep 4 significant digits. A `proportion` KPI's means are percentages and its
/// difference and intervals percentage points (`pp`), so `+2.712 pp` reads as "2.7 points
/// more conversions"; a `mean` KPI's numbers are in the KPI's own unit.
enum ExperimentRenderer {
    /// `-o json`: the report exactly as the API answers it (every key, `null` where a number
    /// does not apply yet).
    static func json(_ report: ExperimentReport) throws -> String {
        String(decoding: try StatusDocument.jsonEncoder(pretty: true).encode(report), as: UTF8.self)
    }

    /// The table output, ending in a newline.
    static func text(_ report: ExperimentReport, now: Date) -> String {
        var lines = [heading(report, now: now), "decision: " + decision(report), ""]
        lines += TextTable.lines(table(report))
        lines += [""] + figures(report)
        if report.excluded > 0 {
            lines.append("excluded: \(report.excluded) KPI value\(report.excluded == 1 ? "" : "s") other than 0 or 1 (a proportion KPI counts 0 or 1)")
        }
        if let message = report.message, !message.isEmpty { lines.append(message) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `fraud-detector: converted (proportion, increase) per X-User-Id, 50% to r2, α 0.05,
    /// sequential, started 2026-12-02T10:00:00Z (3h ago)`.
    static func heading(_ report: ExperimentReport, now: Date) -> String {
        let candidate = report.candidateRevision.map { "r\($0)" } ?? "the candidate"
        var text = "\(report.model): \(report.kpi) (\(report.kind.rawValue), \(report.direction.rawValue)) "
            + (report.unit.map { "per \($0)" } ?? "per request")
            + ", \(report.split)% to \(candidate), α \(report.alpha), \(report.sequential ? "sequential" : "fixed horizon")"
            + ", started \(iso8601(report.startedAt)) (\(StatusRenderer.age(from: report.startedAt, to: now)) ago)"
        if let concludedAt = report.concludedAt {
            text += ", concluded \(iso8601(concludedAt)) (\(StatusRenderer.age(from: concludedAt, to: now)) ago)"
        }
        return text
    }

    /// The decision in words, with what follows from it under the report's `policy`.
    static func decision(_ report: ExperimentReport) -> String {
        let candidate = report.candidateRevision.map { "r\($0)" } ?? "the candidate"
        let stable = report.arm(.stable).map { "r\($0.revision)" } ?? "stable"
        switch report.decision {
        case .pending:
            let counts = report.arms.map { String($0.n) }
            if report.arms.contains(where: { $0.n < report.minSamples }) {
                return "pending — collecting until each arm has \(report.minSamples) KPI values (\(counts.joined(separator: " and ")) so far)"
            }
            return "pending — the \(report.sequential ? "always-valid " : "")interval still holds 0"
        case .candidateWins:
            switch report.policy {
            case .promoteWinner:
                return "\(candidate) wins: " + (report.concludedAt == nil ? "promoted once its SLO verdict passes" : "promoted")
            case .report:
                return "\(candidate) wins; decision: report, so the rollout waits for `sextant promote` or `sextant abort`"
            }
        case .candidateLoses:
            return "\(candidate) loses: traffic back to stable (\(stable))"
        case .noDifference:
            return "no difference found: traffic back to stable (\(stable))"
        }
    }

    /// ROLE REVISION UNITS N MEAN STD, stable first.
    static func table(_ report: ExperimentReport) -> [[String]] {
        [["ROLE", "REVISION", "UNITS", "N", "MEAN", "STD"]]
            + report.arms.map { arm in
                [arm.role.rawValue, "r\(arm.revision)", String(arm.units), String(arm.n),
                 arm.mean.map { level($0, report.kind) } ?? "-", arm.std.map { level($0, report.kind) } ?? "-"]
            }
    }

    /// The difference, the fixed-horizon interval and p-value, the always-valid interval when
    /// sequential; the one the decision uses is marked.
    static func figures(_ report: ExperimentReport) -> [String] {
        guard let difference = report.difference else {
            return ["difference (candidate - stable): not measured yet: each arm needs two KPI values"]
        }
        let level = percent(1 - report.alpha)
        var lines = ["difference (candidate - stable): \(change(difference, report.kind))"]
        var fixed = "\(level) CI, fixed horizon: " + (report.ci.map { interval($0, report.kind) } ?? "-")
        if let pValue = report.pValue { fixed += ", p-value \(pText(pValue))" }
        if !report.sequential { fixed += " (decides)" }
        lines.append(fixed)
        if report.sequential {
            lines.append("\(level) always-valid interval: " + (report.sequentialCi.map { interval($0, report.kind) } ?? "-") + " (decides)")
        }
        return lines
    }

    /// A mean or standard deviation: a proportion's as a percentage.
    static func level(_ value: Double, _ kind: KPIKind) -> String {
        kind == .proportion ? significant(value * 100) + "%" : significant(value)
    }

    /// A signed difference: a proportion's in percentage points.
    static func change(_ value: Double, _ kind: KPIKind) -> String {
        let text = kind == .proportion ? significant(value * 100) + " pp" : significant(value)
        return value > 0 ? "+" + text : text
    }

    /// `[-2.103 pp, +7.527 pp]`.
    static func interval(_ bounds: [Double], _ kind: KPIKind) -> String {
        guard bounds.count == 2 else { return "-" }
        return "[\(change(bounds[0], kind)), \(change(bounds[1], kind))]"
    }

    /// `0.0123`, or `<0.0001`.
    static func pText(_ p: Double) -> String {
        p < 0.0001 ? "<0.0001" : String(format: "%.4f", p)
    }

    /// `95%`, `99.5%`.
    static func percent(_ level: Double) -> String {
        let value = (level * 1000).rounded() / 10
        return value == value.rounded() ? "\(Int(value))%" : "\(value)%"
    }

    /// `digits` significant digits without exponent from 0.0001 to 999,999 (`12.35`,
    /// `0.004000`, `123457`), else in scientific notation (`1.235e+06`).
    static func significant(_ value: Double, digits: Int = 4) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : value > 0 ? "inf" : "-inf" }
        guard value != 0 else { return "0" }
        // Rounded first, so that 9.99996 counts as 10.00 (two digits before the point).
        let rounded = Double(String(format: "%.\(digits - 1)e", value)) ?? value
        let magnitude = Int(floor(log10(abs(rounded))))
        guard (-4..<6).contains(magnitude) else { return String(format: "%.\(digits - 1)e", value) }
        return String(format: "%.\(max(0, digits - 1 - magnitude))f", rounded)
    }
}
