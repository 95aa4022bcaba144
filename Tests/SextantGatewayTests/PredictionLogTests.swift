import Foundation
import Logging
import NIOCore
import NIOHTTP1
@testable import SextantGateway
import SextantWire
import Testing

/// The prediction log's queue: bounded in bytes, drained by its own thread; what does not
/// fit is dropped and counted, never waited for.
@Suite struct PredictionLogTests {
    static func exchange(_ index: Int, bytes: Int) -> LoggedExchange {
        LoggedExchange(time: 1_000 + Int64(index), requestId: "id-\(index)", model: "fraud", revision: 1, version: 1, status: 200, latencyMs: 0.5,
                       requestContentType: "application/json", requestHeaderLength: nil, request: [ByteBuffer(repeating: 7, count: bytes)],
                       answerContentType: nil, answerHeaderLength: nil, answer: [ByteBuffer(string: "{}")])
    }

    @Test("a writer slower than the traffic: the queue never holds more than its bytes, the rest is dropped and counted, and written + dropped = submitted")
    func slowWriterDrops() throws {
        let state = NSTemporaryDirectory() + "plog-" + UUID().uuidString
        let log = PredictionLog(.init(state: state, queueBytes: 64 << 10, writeDelayMicroseconds: 2_000), logger: Logger(label: "test"))
        log.start()
        var accepted = 0
        let started = ContinuousClock.now
        for index in 0..<400 {
            let exchange = Self.exchange(index, bytes: 4_000)
            if log.submit(.prediction(exchange), bytes: exchange.bytes) { accepted += 1 }
        }
        let submitting = ContinuousClock.now - started
        let text = log.counters.prometheus()
        let queued = text.split(separator: "\n").first { $0.hasPrefix("sextant_gateway_prediction_log_queue_bytes ") }.flatMap { Int($0.split(separator: " ")[1]) }
        #expect((queued ?? .max) <= 64 << 10)
        log.stop()
        let written = log.counters.records(.prediction, model: "fraud", .written)
        let dropped = log.counters.records(.prediction, model: "fraud", .dropped)
        #expect(dropped > 300, "a 64 KiB queue holds about 15 of these at a time")
        #expect(written == accepted && written + dropped == 400)
        #expect(submitting < .seconds(5), "submitting never waits for the writer (400 × 2 ms of writing would be 0.8 s)")
        let read = try SegmentReader<PredictionRecord>(state: state, model: "fraud").read(from: nil)
        #expect(read.records.count == written)
        #expect(read.records.first?.request.bytes == Array(repeating: 7, count: 4_000))
    }

    @Test("an exchange larger than the whole queue is dropped without being kept")
    func tooLarge() {
        let log = PredictionLog(.init(state: NSTemporaryDirectory() + "plog-" + UUID().uuidString, queueBytes: 1_000), logger: Logger(label: "test"))
        let exchange = Self.exchange(0, bytes: 2_000)
        #expect(!log.submit(.prediction(exchange), bytes: exchange.bytes))
        #expect(log.counters.records(.prediction, model: "fraud", .dropped) == 1)
    }

    @Test("feedback items: malformed ones are rejected by index with a reason, the rest accepted; the target's type is checked")
    func feedbackItems() throws {
        let state = NSTemporaryDirectory() + "plog-" + UUID().uuidString
        let table = RoutingTable(generation: 1, models: ["fraud": ModelRoute(backends: [], target: .integer)])
        let gateway = Gateway(routes: table, token: "t", log: .init(state: state), logger: Logger(label: "test"))
        let body = ByteBuffer(string: """
            {"feedback": [{"id": "a1", "truth": 1, "kpi": {"revenue": 2.5}}, {"id": "bad id", "truth": 1}, {"id": "a2", "truth": "yes"},
                          {"id": "a3", "row": 1, "truth": [0, 1]}, {"id": "a4"}, {"id": "a5", "truth": {"x": 1}}, 7]}
            """)
        let (status, json) = gateway.acceptFeedback(model: "fraud", body: body)
        #expect(status == .accepted)
        let receipt = try JSONDecoder().decode(FeedbackReceipt.self, from: json)
        #expect(receipt.accepted == 2)
        #expect(receipt.rejected.map(\.index) == [1, 2, 4, 5, 6])
        #expect(receipt.rejected[1].error.contains("integer"), "\(receipt.rejected[1].error)")
        #expect(gateway.acceptFeedback(model: "churn", body: body).status == .notFound)
        #expect(gateway.acceptFeedback(model: "fraud", body: ByteBuffer(string: "{not json")).status == .badRequest)
        #expect(gateway.acceptFeedback(model: "fraud", body: ByteBuffer(string: #"{"labels": []}"#)).status == .badRequest)
        gateway.stopLog()
        let records = try SegmentReader<FeedbackRecord>(state: state, model: "fraud").read(from: nil).records
        #expect(records.map(\.id) == ["a1", "a3"])
        #expect(records[0].kpi == ["revenue": 2.5] && records[1].row == 1 && records[1].truth == .list([.integer(0), .integer(1)]))
    }
}
