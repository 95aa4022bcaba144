import Synchronization

/// What became of the records of the prediction log and of feedback, per model, for the
/// life of the process; and the queue's depth now.
final class PredictionLogCounters: Sendable {
    enum Result: String, CaseIterable, Sendable {
        /// In a segment file.
        case written
        /// Not queued: the queue was full (or the record larger than it).
        case dropped
        /// Queued, but its segment could not be written.
        case failed
    }

    enum Kind: Sendable {
        case prediction, feedback
    }

    struct Key: Hashable, Sendable {
        var kind: Kind
        var model: String
        var result: Result
    }

    private struct State {
        var records: [Key: Int] = [:]
        var feedbackItems: [String: (accepted: Int, rejected: Int)] = [:]
        /// Exchanges written without their request body, by model.
        var requestsLeftOut: [String: Int] = [:]
    }

    /// Results counted on the writer thread and added to the counters once per batch: one
    /// lock and one dictionary update per run of records of the same model and result,
    /// not per record.
    struct Tally {
        private var runs: [(key: Key, count: Int)] = []

        mutating func add(_ kind: Kind, model: String, _ result: Result) {
            if let last = runs.last, last.key.result == result, last.key.kind == kind, last.key.model == model {
                runs[runs.count - 1].count += 1
            } else {
                runs.append((Key(kind: kind, model: model, result: result), 1))
            }
        }

        func add(to counters: PredictionLogCounters) {
            guard !runs.isEmpty else { return }
            counters.state.withLock { state in
                for run in runs { state.records[run.key, default: 0] += run.count }
            }
        }
    }

    private let state = Mutex(State())

    func count(_ kind: Kind, model: String, _ result: Result, _ count: Int = 1) {
        state.withLock { $0.records[Key(kind: kind, model: model, result: result), default: 0] += count }
    }

    func feedback(model: String, accepted: Int, rejected: Int) {
        state.withLock {
            let known = $0.feedbackItems[model] ?? (0, 0)
            $0.feedbackItems[model] = (known.accepted + accepted, known.rejected + rejected)
        }
    }

    /// An exchange written without its request body: its classified inputs could not be
    /// hashed (an undecodable request, or no key).
    func requestLeftOut(model: String) {
        state.withLock { $0.requestsLeftOut[model, default: 0] += 1 }
    }

    func records(_ kind: Kind, model: String, _ result: Result) -> Int {
        state.withLock { $0.records[Key(kind: kind, model: model, result: result), default: 0] }
    }

    /// Prometheus text, every result of every model seen listed, and the queue's depth.
    func prometheus(queueRecords: Int, queueBytes: Int) -> String {
        let state = state.withLock { $0 }
        var text = ""
        for (kind, name, help) in [(Kind.prediction, "sextant_gateway_prediction_log_records_total",
                                    "Inference exchanges of the prediction log: written to a segment, dropped (queue full) or failed (segment not written)."),
                                   (.feedback, "sextant_gateway_feedback_records_total",
                                    "Accepted feedback items: written to a segment, dropped (queue full) or failed (segment not written).")] {
            text += "# HELP \(name) \(help)\n# TYPE \(name) counter\n"
            let models = Set(state.records.keys.filter { $0.kind == kind }.map(\.model)).sorted()
            for model in models {
                for result in Result.allCases {
                    text += "\(name){model=\"\(Self.escaped(model))\",result=\"\(result.rawValue)\"} \(state.records[Key(kind: kind, model: model, result: result), default: 0])\n"
                }
            }
        }
        text += """
            # HELP sextant_gateway_feedback_items_total Feedback items received: accepted, or rejected (with a per-item error).
            # TYPE sextant_gateway_feedback_items_total counter

            """
        for model in state.feedbackItems.keys.sorted() {
            let counts = state.feedbackItems[model]!
            text += "sextant_gateway_feedback_items_total{model=\"\(Self.escaped(model))\",result=\"accepted\"} \(counts.accepted)\n"
            text += "sextant_gateway_feedback_items_total{model=\"\(Self.escaped(model))\",result=\"rejected\"} \(counts.rejected)\n"
        }
        text += """
            # HELP sextant_gateway_prediction_log_requests_left_out_total Exchanges logged without their request body: the model's classified inputs could not be hashed.
            # TYPE sextant_gateway_prediction_log_requests_left_out_total counter

            """
        for model in state.requestsLeftOut.keys.sorted() {
            text += "sextant_gateway_prediction_log_requests_left_out_total{model=\"\(Self.escaped(model))\"} \(state.requestsLeftOut[model]!)\n"
        }
        text += """
            # HELP sextant_gateway_prediction_log_queue_records Records waiting for the log's writer thread.
            # TYPE sextant_gateway_prediction_log_queue_records gauge
            sextant_gateway_prediction_log_queue_records \(queueRecords)
            # HELP sextant_gateway_prediction_log_queue_bytes Memory held by the records queued for the log's writer thread, those being written included.
            # TYPE sextant_gateway_prediction_log_queue_bytes gauge
            sextant_gateway_prediction_log_queue_bytes \(queueBytes)

            """
        return text
    }

    private static func escaped(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}

import Foundation
