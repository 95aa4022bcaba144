/// One input row of a logged request with what the model answered for it.
package struct DecodedRow: Sendable, Hashable {
    /// One value per feature, in the model's order, typed as sent.
    package var features: [RowValue]
    /// `predict` as answered (the label in the target's type, or the value); nil when the
    /// request asked for `predict_proba` only.
    package var predict: RowValue?
    /// `predict_proba` in the signature's class order; nil when not answered (and for regression).
    package var probabilities: [Double]?

    package init(features: [RowValue], predict: RowValue?, probabilities: [Double]? = nil) {
        self.features = features
        self.predict = predict
        self.probabilities = probabilities
    }
}

/// Why a logged exchange gives no rows: one line naming what is wrong, and a reason to
/// count by.
package struct UndecodableExchange: Error, Sendable, Hashable {
    package enum Reason: String, Sendable, Hashable, CaseIterable {
        /// The answer was not 200: there is nothing to decode.
        case status
        /// The request is not a valid OIP v2 request.
        case request
        /// The answer is not a valid OIP v2 answer.
        case answer
        /// Valid, but not in the tabular convention for this model's features and outputs.
        case layout
    }

    package var reason: Reason
    package var message: String

    package init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }
}
