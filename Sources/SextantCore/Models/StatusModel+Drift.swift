import Foundation

extension StatusModel {
    /// The Model's `Drift` condition: True naming the drifted features and their share,
    /// False, or Unknown saying why there is no verdict. A verdict's transition time is
    /// when it was recorded with its event.
    static func driftCondition(_ report: DriftReport, recorded: DriftVerdict?) -> StatusCondition {
        let against = "the newest \(report.current.rows) logged rows against " + (report.version.map { "v\($0)" } ?? "the serving version")
        guard let drifted = report.datasetDrift else {
            return StatusCondition(type: "Drift", status: "Unknown", reason: "NoVerdict", message: report.reason ?? "no verdict yet",
                                   lastTransitionTime: report.computedAt)
        }
        let since = recorded.flatMap { $0.drifted == drifted ? $0.since : nil } ?? report.computedAt
        if drifted {
            return StatusCondition(type: "Drift", status: "True", reason: "DatasetDrift",
                                   message: "\(report.driftedFeatures.joined(separator: ", ")) drifted: \(report.shareSummary) over \(against)",
                                   lastTransitionTime: since)
        }
        let some = report.driftedFeatures.isEmpty ? "" : " (\(report.driftedFeatures.joined(separator: ", ")) drifted)"
        return StatusCondition(type: "Drift", status: "False", reason: "NoDatasetDrift",
                               message: "no dataset drift: \(report.shareSummary)\(some) over \(against)", lastTransitionTime: since)
    }
}
