import Foundation
import SextantWire
import Testing

/// A prediction record's payload with the assignment unit of an experiment (DESIGN §10): a
/// trailing optional field after the answer, so that segments written before units are
/// read as they were, and a record without a unit is written exactly as before.
@Suite struct PredictionRecordTests {
    static func record(unit: UInt64?) -> PredictionRecord {
        PredictionRecord(time: 1_733_000_000_123, requestId: "01JD6ZQ3V2V6E8Q3J3R0K2W9XN", model: "fraud", revision: 4, version: 3, status: 200,
                         latencyMs: 2.5, request: .init(contentType: "application/json", bytes: Array(#"{"inputs":[]}"#.utf8)),
                         answer: .init(contentType: "application/json", inferenceHeaderLength: 5, bytes: Array(#"{"outputs":[]}"#.utf8)), unit: unit)
    }

    /// The payload as the format before units wrote it: the fields, the request, the answer, nothing after.
    static func oldFormat(_ record: PredictionRecord) -> [UInt8] {
        var writer = RecordWriter()
        writer.integer(record.time)
        writer.string(record.requestId)
        writer.string(record.model)
        writer.integer(Int64(record.revision))
        writer.integer(Int64(record.version))
        writer.integer(UInt16(record.status))
        writer.double(record.latencyMs)
        for body in [record.request, record.answer] {
            writer.optional(body.contentType) { $0.string($1) }
            writer.optional(body.inferenceHeaderLength) { $0.integer(Int64($1)) }
            writer.blob(body.bytes)
        }
        return writer.bytes
    }

    @Test("a record round-trips with and without a unit, through its payload and through a segment",
          arguments: [nil, 0, 0x648A_6C63_4339_F9F7, .max] as [UInt64?])
    func roundTrip(unit: UInt64?) throws {
        let record = Self.record(unit: unit)
        let decoded = try PredictionRecord(decoding: record.encoded())
        #expect(decoded == record)
        #expect(decoded.unit == unit)
        let path = NSTemporaryDirectory() + "records-" + UUID().uuidString + "/predictions/fraud"
        let writer = try SegmentWriter(directory: path, kind: .predictions)
        try writer.append(record, now: 1_000)
        try writer.flush()
        #expect(try SegmentReader<PredictionRecord>(directory: path).read(from: nil).records == [record])
    }

    @Test("the unit is 9 bytes after the answer (a presence byte 1, then the unit little-endian); without one the payload is the old format's, byte for byte")
    func layout() {
        let old = Self.oldFormat(Self.record(unit: nil))
        #expect(Self.record(unit: nil).encoded() == old)
        #expect(Self.record(unit: 0x0102_0304_0506_0708).encoded() == old + [1, 8, 7, 6, 5, 4, 3, 2, 1])
    }

    @Test("a record written before units (no trailing bytes) decodes with unit nil")
    func oldRecordDecodes() throws {
        let decoded = try PredictionRecord(decoding: Self.oldFormat(Self.record(unit: 77)))
        #expect(decoded.unit == nil)
        #expect(decoded == Self.record(unit: nil))
    }

    @Test("a torn unit, a bad presence byte or bytes after the unit are refused, never misread", arguments: [
        [1, 8, 7, 6, 5], [2, 8, 7, 6, 5, 4, 3, 2, 1], [1, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ] as [[UInt8]])
    func malformedUnit(trailing: [UInt8]) {
        let payload = Self.oldFormat(Self.record(unit: nil)) + trailing
        #expect(throws: SegmentError.self) { try PredictionRecord(decoding: payload) }
    }
}
