package import Foundation
package import SextantWire

/// One model's production log as the daemon and `sextant predictions` read it: the
/// gateway's prediction and feedback segments (`STATE/predictions/MODEL`,
/// `STATE/feedback/MODEL`), read on from where the last read stopped, decoded into rows,
/// and the newest `limit` rows and feedback items kept for joins.
package struct ProductionLog: Sendable {
    package let state: String
    package let model: String
    /// How many decoded rows, and how many feedback items, are kept (the oldest go first).
    package let limit: Int
    /// Decoded rows, oldest first.
    package private(set) var predictions: [PredictionRow] = []
    /// Feedback items, in the order the gateway stored them.
    package private(set) var feedback: [FeedbackItem] = []
    /// Logged exchanges that gave no rows: answers other than 200, and bodies that do not
    /// decode with the model's signature.
    package private(set) var undecodable = 0
    /// What the last read had to skip (torn tails, segments retention deleted, …).
    package private(set) var problems: [SegmentProblem] = []
    private var predictionCursor: SegmentCursor?
    private var feedbackCursor: SegmentCursor?

    package init(state: String, model: String, limit: Int = 100_000) {
        self.state = state
        self.model = model
        self.limit = max(1, limit)
    }

    /// Reads what the gateway appended since the last read; returns the rows decoded now.
    @discardableResult
    package mutating func readOn(signature: ModelSignature) throws(SegmentError) -> [PredictionRow] {
        problems = []
        var decoded: [PredictionRow] = []
        let predictionReader = SegmentReader<PredictionRecord>(state: state, model: model)
        while true {
            let batch = try predictionReader.read(from: predictionCursor)
            problems += batch.problems
            for record in batch.records {
                do throws(UndecodableExchange) {
                    let rows = try ExchangeDecoder.rows(of: LoggedExchange(record), signature: signature)
                    decoded += PredictionRow.rows(requestId: record.requestId, time: Date(milliseconds: record.time), revision: record.revision,
                                                  version: record.version, unit: record.unit, decoded: rows)
                } catch {
                    undecodable += 1
                }
            }
            let moved = batch.cursor != predictionCursor
            predictionCursor = batch.cursor
            if batch.records.isEmpty && !moved { break }
        }
        predictions += decoded
        if predictions.count > limit { predictions.removeFirst(predictions.count - limit) }

        let feedbackReader = SegmentReader<FeedbackRecord>(state: state, model: model)
        while true {
            let batch = try feedbackReader.read(from: feedbackCursor)
            problems += batch.problems
            feedback += batch.records.map(FeedbackItem.init)
            let moved = batch.cursor != feedbackCursor
            feedbackCursor = batch.cursor
            if batch.records.isEmpty && !moved { break }
        }
        if feedback.count > limit { feedback.removeFirst(feedback.count - limit) }
        return decoded
    }

    /// The rows kept, joined to the feedback kept.
    package var joined: FeedbackJoin { FeedbackJoin(predictions: predictions, feedback: feedback) }
}

extension LoggedExchange {
    /// A logged exchange as the gateway stored it.
    package init(_ record: PredictionRecord) {
        self.init(status: record.status,
                  request: Body(bytes: record.request.bytes, contentType: record.request.contentType, headerLength: record.request.inferenceHeaderLength),
                  answer: Body(bytes: record.answer.bytes, contentType: record.answer.contentType, headerLength: record.answer.inferenceHeaderLength))
    }
}

extension FeedbackItem {
    /// A feedback item as the gateway stored it.
    package init(_ record: FeedbackRecord) {
        let truth: LabelTruth? = switch record.truth {
        case .scalar(let value)?: .value(RowValue(value))
        case .list(let values)?: .perRow(values.map(RowValue.init))
        case nil: nil
        }
        self.init(id: record.id, row: record.row, truth: truth, kpi: record.kpi, time: Date(milliseconds: record.time))
    }
}

extension RowValue {
    package init(_ scalar: FeedbackScalar) {
        self = switch scalar {
        case .bool(let flag): .boolean(flag)
        case .integer(let number): .integer(number)
        case .number(let number): .number(number)
        case .string(let text): .string(text)
        }
    }
}

extension Date {
    /// A time the gateway stored, in milliseconds since 1970.
    package init(milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
