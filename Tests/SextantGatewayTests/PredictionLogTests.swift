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
        var capture = ExchangeCapture(requestId: "id-\(index)", model: "fraud", head: head(["Content-Type": "application/json"]), limit: 1 << 30)
        capture.requestBody(ByteBuffer(repeating: 7, count: bytes))
        capture.answerHead(contentType: nil, inferenceHeaderLength: nil)
        capture.answerBody(ByteBuffer(string: "{}"))
        return capture.exchange(model: "fraud", revision: 1, version: 1, status: 200, microseconds: 500, time: 1_000 + Int64(index))
    }

    static func head(_ fields: KeyValuePairs<String, String>) -> RequestHead {
        let lines = fields.map { "\($0.key): \($0.value)\r\n" }.joined()
        return try! RequestHead.parse(ByteBuffer(string: "POST /v2/models/fraud/infer HTTP/1.1\r\nHost: x\r\n" + lines + "\r\n"))
    }

    /// The payload an exchange carries, both buffers joined.
    static func payload(_ exchange: LoggedExchange) -> [UInt8] {
        Array(exchange.head.readableBytesView) + (exchange.answer.map { Array($0.readableBytesView) } ?? [])
    }

    /// How the proxy feeds a capture, step by step.
    enum Step {
        case request(String)
        case requestEnd
        case answerHead(contentType: String?, headerLength: Int?)
        case answer(String)
        case gatewayAnswer(String)
    }

    @Test("an exchange captured on the event loop is byte for byte the PredictionRecord's encoding", arguments: [
        ([Step.request("{\"inputs\":"), .request("[]}"), .answerHead(contentType: "application/json", headerLength: nil), .answer("{\"out"), .answer("puts\":[]}")],
         ["Content-Type": "application/json"],
         PredictionRecord.Body(contentType: "application/json", bytes: Array("{\"inputs\":[]}".utf8)),
         PredictionRecord.Body(contentType: "application/json", bytes: Array("{\"outputs\":[]}".utf8))),
        // The usual order: the whole request, then the answer (one buffer).
        ([.request("{\"inputs\":[]}"), .requestEnd, .answerHead(contentType: "application/json", headerLength: nil), .answer("{\"out"), .answer("puts\":[]}")],
         ["Content-Type": "application/json", "Content-Length": "13"],
         PredictionRecord.Body(contentType: "application/json", bytes: Array("{\"inputs\":[]}".utf8)),
         PredictionRecord.Body(contentType: "application/json", bytes: Array("{\"outputs\":[]}".utf8))),
        // A large answer past the room the buffer was made with.
        ([.request("x"), .requestEnd, .answerHead(contentType: nil, headerLength: nil), .answer(String(repeating: "y", count: 5_000))],
         [:], PredictionRecord.Body(bytes: Array("x".utf8)), PredictionRecord.Body(bytes: Array(String(repeating: "y", count: 5_000).utf8))),
        // A retry whose answer replaces the first one's in the same buffer.
        ([.request("x"), .requestEnd, .answerHead(contentType: "text/plain", headerLength: 9), .answer("first answer, longer"),
          .answerHead(contentType: "application/json", headerLength: nil), .answer("[1]")],
         [:], PredictionRecord.Body(bytes: Array("x".utf8)), PredictionRecord.Body(contentType: "application/json", bytes: Array("[1]".utf8))),
        // The gateway's own 504 after the whole request.
        ([.request("x"), .requestEnd, .gatewayAnswer("{}")],
         [:], PredictionRecord.Body(bytes: Array("x".utf8)), PredictionRecord.Body(contentType: "application/json", bytes: Array("{}".utf8))),
        // Binary tensors, request parts after the answer started, no content type on the answer.
        ([.request("head"), .answerHead(contentType: nil, headerLength: 2), .request("tail"), .answer("{}\u{1}\u{2}")],
         ["Content-Type": "application/octet-stream", "Inference-Header-Content-Length": "4"],
         PredictionRecord.Body(contentType: "application/octet-stream", inferenceHeaderLength: 4, bytes: Array("headtail".utf8)),
         PredictionRecord.Body(contentType: nil, inferenceHeaderLength: 2, bytes: Array("{}\u{1}\u{2}".utf8))),
        // A retry on another revision: its answer replaces the first one's.
        ([.request("x"), .answerHead(contentType: "text/plain", headerLength: nil), .answer("first"), .answerHead(contentType: "application/json", headerLength: nil), .answer("[1]")],
         [:], PredictionRecord.Body(bytes: Array("x".utf8)), PredictionRecord.Body(contentType: "application/json", bytes: Array("[1]".utf8))),
        // The gateway's own 502.
        ([.request("x"), .gatewayAnswer("{\"error\":\"r1 did not answer\"}")],
         [:], PredictionRecord.Body(bytes: Array("x".utf8)), PredictionRecord.Body(contentType: "application/json", bytes: Array("{\"error\":\"r1 did not answer\"}".utf8))),
        // No answer head at all, no request body.
        ([], [:], PredictionRecord.Body(bytes: []), PredictionRecord.Body(bytes: [])),
    ] as [([Step], KeyValuePairs<String, String>, PredictionRecord.Body, PredictionRecord.Body)])
    func captureEncodesRecord(steps: [Step], fields: KeyValuePairs<String, String>, request: PredictionRecord.Body, answer: PredictionRecord.Body) throws {
        // Without a unit, and with an experiment's unit (written after the answer, wherever the answer is kept).
        for unit in [nil, 0x0123_4567_89AB_CDEF] as [UInt64?] {
            var capture = ExchangeCapture(requestId: "01JD6ZQ3V2V6E8Q3J3R0K2W9XN", model: "fraud-detector", head: Self.head(fields), unit: unit, limit: 1 << 20)
            for step in steps {
                switch step {
                case .request(let text): capture.requestBody(ByteBuffer(string: text))
                case .requestEnd: capture.requestEnd()
                case .answerHead(let contentType, let length): capture.answerHead(contentType: contentType.map { ByteBuffer(string: $0) }, inferenceHeaderLength: length)
                case .answer(let text): capture.answerBody(ByteBuffer(string: text))
                case .gatewayAnswer(let text): capture.gatewayAnswer(ByteBuffer(string: text))
                }
            }
            let exchange = capture.exchange(model: "fraud-detector", revision: 3, version: 2, status: 502, microseconds: 1_250, time: 1_733_000_000_123)
            let expected = PredictionRecord(time: 1_733_000_000_123, requestId: "01JD6ZQ3V2V6E8Q3J3R0K2W9XN", model: "fraud-detector", revision: 3, version: 2,
                                            status: 502, latencyMs: 1.25, request: request, answer: answer, unit: unit)
            #expect(Self.payload(exchange) == expected.encoded())
            #expect(try PredictionRecord(decoding: Self.payload(exchange)) == expected)
        }
    }

    @Test("an exchange past the capture's limit keeps nothing and is counted as dropped")
    func captureOverflow() {
        var capture = ExchangeCapture(requestId: "a", model: "fraud", head: Self.head([:]), limit: 4_096)
        capture.requestBody(ByteBuffer(repeating: 1, count: 1_000))
        #expect(!capture.overflowed)
        capture.requestBody(ByteBuffer(repeating: 1, count: 8_000))
        #expect(capture.overflowed)
        let log = PredictionLog(.init(state: NSTemporaryDirectory() + "plog-" + UUID().uuidString), logger: Logger(label: "test"))
        log.submit(capture, model: "fraud", revision: 1, version: 1, status: 200, microseconds: 1)
        #expect(log.counters.records(.prediction, model: "fraud", .dropped) == 1)
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
        let text = log.prometheus()
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

    @Test("records of several models, interleaved, each reach their model's segments in order and are counted per model")
    func interleavedModels() throws {
        let state = NSTemporaryDirectory() + "plog-" + UUID().uuidString
        let log = PredictionLog(.init(state: state), logger: Logger(label: "test"))
        log.start()
        let models = ["fraud", "churn", "churn", "fraud", "fraud", "spam"]
        for round in 0..<50 {
            for (index, model) in models.enumerated() {
                var capture = ExchangeCapture(requestId: "\(model)-\(round)-\(index)", model: model, head: Self.head([:]), limit: 1 << 20)
                capture.requestBody(ByteBuffer(string: "\(round)"))
                log.submit(capture, model: model, revision: 1, version: 1, status: 200, microseconds: 10)
            }
        }
        log.stop()
        for model in Set(models) {
            let records = try SegmentReader<PredictionRecord>(state: state, model: model).read(from: nil).records
            let expected = (0..<50).flatMap { round in models.indices.filter { models[$0] == model }.map { "\(model)-\(round)-\($0)" } }
            #expect(records.map(\.requestId) == expected)
            #expect(records.allSatisfy { $0.model == model })
            #expect(log.counters.records(.prediction, model: model, .written) == expected.count)
        }
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
