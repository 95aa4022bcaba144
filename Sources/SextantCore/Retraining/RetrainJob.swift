package import Foundation

/// A retraining that fired: build the table, train the candidate, judge it, propose it.
package struct RetrainJob: Sendable, Hashable {
    package var model: String
    package var reasons: [RetrainReason]
    /// When it fired (`RetrainTriggered`): its identity in the journal.
    package var triggeredAt: Date

    package init(model: String, reasons: [RetrainReason], triggeredAt: Date) {
        self.model = model
        self.reasons = reasons
        self.triggeredAt = triggeredAt
    }
}
