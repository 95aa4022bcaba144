import Foundation
import Logging
import NIOCore
@testable import SextantGateway
import SextantTestSupport
import SextantWire
import Testing

/// The prediction log's writer with a model that has classified inputs (DESIGN §9): what
/// reaches the segment files, through the writer thread.
@Suite struct PredictionLogRedactionTests {
    static let settings = PredictionLogSettings(hashedInputs: HashedInputs(names: ["postcode"], features: ["amount", "postcode"],
                                                                           columns: ["amount", "postcode"], numeric: ["postcode"]))

    /// A log writing under `state` that hashes `fraud`'s classified inputs.
    static func log(state: String) -> PredictionLog {
        let log = PredictionLog(.init(state: state), logger: Logger(label: "test"))
        log.update(RoutingTable(generation: 1, models: ["fraud": ModelRoute(backends: [], log: settings)]))
        log.start()
        return log
    }

    static func exchange(_ id: String, request: String, status: Int, answer: String, unit: UInt64? = nil) -> LoggedExchange {
        var capture = ExchangeCapture(requestId: id, model: "fraud", head: PredictionLogTests.head(["Content-Type": "application/json"]), unit: unit,
                                      limit: 1 << 20)
        capture.requestBody(ByteBuffer(string: request))
        capture.answerHead(contentType: ByteBuffer(string: "application/json"), inferenceHeaderLength: nil)
        capture.answerBody(ByteBuffer(string: answer))
        return capture.exchange(model: "fraud", revision: 1, version: 1, status: status, microseconds: 500, time: 1_000)
    }

    static let request = #"{"inputs":[{"name":"amount","datatype":"FP64","shape":[1],"data":[1]},{"name":"postcode","datatype":"FP64","shape":[1],"data":[48213.5]}]}"#

    @Test("an error answer echoing a classified value is written without its body; the status and a 2xx answer are kept")
    func errorAnswer() throws {
        let state = try TemporaryDirectory()
        let log = Self.log(state: state.path)
        for exchange in [Self.exchange("refused", request: Self.request, status: 400, answer: #"{"error":"input postcode: element 0: 48213.5 is not a whole number"}"#),
                         Self.exchange("served", request: Self.request, status: 200, answer: #"{"outputs":[{"name":"predict","datatype":"BOOL","shape":[1],"data":[false]}]}"#)] {
            #expect(log.submit(.prediction(exchange), bytes: exchange.bytes))
        }
        log.stop()
        let records = try SegmentReader<PredictionRecord>(state: state.path, model: "fraud").read(from: nil).records
        #expect(records.map(\.requestId) == ["refused", "served"] && records.map(\.status) == [400, 200])
        #expect(records[0].answer.bytes.isEmpty && records[0].answer.contentType == "application/json")
        #expect(String(decoding: records[1].answer.bytes, as: UTF8.self).contains("predict"))
        for file in try FileManager.default.contentsOfDirectory(atPath: SegmentDirectory.path(state: state.path, kind: .predictions, model: "fraud")) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: SegmentDirectory.path(state: state.path, kind: .predictions, model: "fraud") + "/" + file))
            #expect(!String(decoding: bytes, as: UTF8.self).contains("48213"), "\(file)")
        }
    }

    @Test("a record rewritten for its classified inputs keeps its experiment unit")
    func rewrittenRecordKeepsUnit() throws {
        let state = try TemporaryDirectory()
        let log = Self.log(state: state.path)
        let answer = #"{"outputs":[{"name":"predict","datatype":"BOOL","shape":[1],"data":[false]}]}"#
        for exchange in [Self.exchange("unit", request: Self.request, status: 200, answer: answer, unit: 0xC0FF_EE00_0000_0001),
                         Self.exchange("none", request: Self.request, status: 200, answer: answer)] {
            #expect(log.submit(.prediction(exchange), bytes: exchange.bytes))
        }
        log.stop()
        let records = try SegmentReader<PredictionRecord>(state: state.path, model: "fraud").read(from: nil).records
        #expect(records.map(\.requestId) == ["unit", "none"] && records.map(\.unit) == [0xC0FF_EE00_0000_0001, nil])
        #expect(records.allSatisfy { !String(decoding: $0.request.bytes, as: UTF8.self).contains("48213") }, "the record was rewritten")
    }

    @Test("a record whose bodies cannot be decoded is written without them and counted as left out; its segment goes on")
    func undecodableRecord() throws {
        let state = try TemporaryDirectory()
        let log = Self.log(state: state.path)
        // The fields of a record, then a request body that claims more bytes than follow.
        var fields = RecordWriter()
        PredictionRecord(time: 2_000, requestId: "torn", model: "fraud", revision: 1, version: 1, status: 200, latencyMs: 1,
                         request: .init(bytes: []), answer: .init(bytes: [])).writeHead(into: &fields)
        PredictionRecord.writeBodyHead(contentType: "application/json", inferenceHeaderLength: nil, into: &fields)
        fields.integer(UInt32(1_000))
        fields.string("48213")
        let torn = LoggedExchange(model: "fraud", head: ByteBuffer(bytes: fields.bytes), answer: nil)
        let served = #"{"outputs":[]}"#
        for exchange in [Self.exchange("before", request: Self.request, status: 200, answer: served), torn,
                         Self.exchange("after", request: Self.request, status: 200, answer: served)] {
            #expect(log.submit(.prediction(exchange), bytes: exchange.bytes))
        }
        log.stop()
        let records = try SegmentReader<PredictionRecord>(state: state.path, model: "fraud").read(from: nil).records
        #expect(records.map(\.requestId) == ["before", "torn", "after"])
        #expect(records[1].request.bytes.isEmpty && records[1].answer.bytes.isEmpty && records[1].time == 2_000 && records[1].status == 200)
        #expect(log.counters.records(.prediction, model: "fraud", .written) == 3 && log.counters.records(.prediction, model: "fraud", .failed) == 0)
        #expect(log.prometheus().contains(#"sextant_gateway_prediction_log_requests_left_out_total{model="fraud"} 1"#))
        let segments = try FileManager.default.contentsOfDirectory(atPath: SegmentDirectory.path(state: state.path, kind: .predictions, model: "fraud"))
        #expect(segments.count == 1, "the segment writer was kept: \(segments)")
    }
}
