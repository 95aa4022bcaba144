package import Foundation

/// One feedback item as the gateway stored it (`POST …/feedback`, or `sextant feedback --csv`).
package struct FeedbackItem: Sendable, Hashable {
    /// The request id the answer carried in `X-Request-Id`.
    package var id: String
    /// The row of the request it labels; nil for the whole request.
    package var row: Int?
    package var truth: LabelTruth?
    package var kpi: [String: Double]
    /// When the gateway accepted it: a later item for the same id and row replaces an earlier one.
    package var time: Date

    package init(id: String, row: Int? = nil, truth: LabelTruth?, kpi: [String: Double] = [:], time: Date) {
        self.id = id
        self.row = row
        self.truth = truth
        self.kpi = kpi
        self.time = time
    }
}

/// A feedback item's `truth`: one value, or a list with one value per row of the request.
package enum LabelTruth: Sendable, Hashable {
    case value(RowValue)
    case perRow([RowValue])
}
