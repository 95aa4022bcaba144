package import Foundation

/// A model's dataset drift verdict as last recorded with its event (`DriftDetected` or
/// `DriftResolved`), kept in its observation so a restarted daemon records a change once.
package struct DriftVerdict: Sendable, Hashable, Codable {
    package var drifted: Bool
    /// The version whose reference was compared.
    package var version: Int?
    /// The drifted features when it was recorded.
    package var features: [String]
    /// When the verdict changed to this.
    package var since: Date

    package init(drifted: Bool, version: Int?, features: [String], since: Date) {
        self.drifted = drifted
        self.version = version
        self.features = features
        self.since = since
    }

    /// Whether a report's verdict differs from the recorded one (none recorded: not drifted).
    /// A report without a verdict changes nothing.
    package static func changes(_ recorded: DriftVerdict?, to report: DriftReport) -> Bool {
        guard let drifted = report.datasetDrift else { return false }
        return drifted != (recorded?.drifted ?? false)
    }
}
