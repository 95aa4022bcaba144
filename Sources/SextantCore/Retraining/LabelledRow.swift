package import Foundation
package import SextantAPI

/// A labelled production row, as the signal source hands it over for a retraining: the
/// features as logged, the truth from feedback, and what the revision answered.
package struct LabelledRow: Sendable, Hashable {
    package var time: Date
    package var revision: Int
    /// One value per feature, in the query's order, typed as sent.
    package var features: [JSONValue]
    package var truth: JSONValue
    /// `predict` as answered; nil when only probabilities were asked for.
    package var predict: JSONValue?
    /// `predict_proba` in the query's sorted class order.
    package var probabilities: [Double]?

    package init(time: Date, revision: Int, features: [JSONValue], truth: JSONValue, predict: JSONValue? = nil, probabilities: [Double]? = nil) {
        self.time = time
        self.revision = revision
        self.features = features
        self.truth = truth
        self.predict = predict
        self.probabilities = probabilities
    }
}

extension Array where Element == LabelledRow {
    /// The recency holdout: the newest 20% of the rows (rounded up), never trained on; and
    /// the older rows, which the training table gets.
    package func splitByRecency(share: Double = 0.2) -> (older: [LabelledRow], recent: [LabelledRow]) {
        let sorted = self.sorted { $0.time < $1.time }
        let recent = Int((Double(sorted.count) * share).rounded(.up))
        return (Array(sorted.dropLast(recent)), Array(sorted.suffix(recent)))
    }
}
