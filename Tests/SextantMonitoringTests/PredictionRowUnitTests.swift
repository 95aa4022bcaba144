import Foundation
@testable import SextantMonitoring
import SextantWire
import Testing

/// The assignment unit of an experiment (DESIGN §10) from the gateway's prediction records
/// to the decoded rows the daemon joins KPI feedback with.
@Suite struct PredictionRowUnitTests {
    static func record(_ id: String, revision: Int, unit: UInt64?) -> PredictionRecord {
        PredictionRecord(time: 1_733_000_000_000, requestId: id, model: "fraud", revision: revision, version: revision, status: 200, latencyMs: 1,
                         request: .init(contentType: "application/json", bytes: Bodies.jsonRequest.bytes),
                         answer: .init(contentType: "application/json", bytes: Bodies.jsonAnswer.bytes), unit: unit)
    }

    @Test("each row of a logged exchange has its record's unit; a record without one (no header, or written before units) gives rows without")
    func rowsCarryTheUnit() throws {
        let state = NSTemporaryDirectory() + "rows-" + UUID().uuidString
        let writer = try SegmentWriter(directory: SegmentDirectory.path(state: state, kind: .predictions, model: "fraud"), kind: .predictions)
        try writer.append(Self.record("with-unit", revision: 2, unit: 0xFFFF_0000_1234_5678), now: 1_000)
        try writer.append(Self.record("without", revision: 1, unit: nil), now: 1_000)
        try writer.flush()
        var log = ProductionLog(state: state, model: "fraud")
        let rows = try log.readOn(signature: Bodies.signature)
        #expect(rows.map(\.requestId) == ["with-unit", "with-unit", "without", "without"])
        #expect(rows.map(\.unit) == [0xFFFF_0000_1234_5678, 0xFFFF_0000_1234_5678, nil, nil])
        #expect(rows.map(\.values) == Bodies.expected + Bodies.expected)
    }
}
