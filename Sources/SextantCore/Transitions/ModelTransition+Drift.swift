extension Change {
    /// A drift report whose dataset verdict differs from the recorded one: the new verdict
    /// is recorded with one `DriftDetected` or `DriftResolved` event. The same verdict again,
    /// or no verdict, changes nothing.
    mutating func driftJudged(_ report: DriftReport) {
        guard DriftVerdict.changes(state.drift, to: report), let drifted = report.datasetDrift else {
            output = "drift verdict unchanged"
            return
        }
        state.drift = DriftVerdict(drifted: drifted, version: report.version, features: report.driftedFeatures, since: now)
        let version = report.version.map { "v\($0)" } ?? "the serving version"
        let rows = "over the newest \(report.current.rows) logged rows"
        if drifted {
            output = "dataset drift: \(report.driftedFeatures.joined(separator: ", "))"
            event(.driftDetected, "dataset drift against \(version)'s training rows \(rows): \(report.driftedFeatures.joined(separator: ", ")) drifted, "
                  + report.shareSummary)
        } else {
            output = "no dataset drift"
            event(.driftResolved, "no dataset drift against \(version)'s training rows \(rows) any more: \(report.shareSummary)")
        }
    }
}
