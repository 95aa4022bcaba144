import Foundation
import SextantWire
import Testing

/// The segment format and its reader: the contract between the gateway that writes the
/// prediction log and the daemon that reads it (docs/prediction-log.md).
@Suite struct SegmentTests {
    static func record(_ index: Int, body: Int = 40) -> PredictionRecord {
        PredictionRecord(time: 1_733_000_000_000 + Int64(index), requestId: "req-\(index)", model: "fraud", revision: 3, version: 2, status: index % 5 == 0 ? 503 : 200,
                         latencyMs: 1.25, request: .init(contentType: "application/json", bytes: Array(repeating: UInt8(index % 256), count: body)),
                         answer: .init(contentType: "application/octet-stream", inferenceHeaderLength: 12, bytes: Array("{\"outputs\":[]}".utf8)))
    }

    func directory() throws -> String {
        let path = NSTemporaryDirectory() + "segments-" + UUID().uuidString + "/predictions/fraud"
        return path
    }

    @Test("records round-trip through a segment with their exact bytes, status and ids; the reader resumes from its cursor")
    func writeReadResume() throws {
        let path = try directory()
        let writer = try SegmentWriter(directory: path, kind: .predictions)
        for index in 0..<10 { try writer.append(Self.record(index), now: 1_000) }
        try writer.flush()
        let reader = SegmentReader<PredictionRecord>(directory: path)
        let first = try reader.read(from: nil, maxRecords: 4)
        #expect(first.records == (0..<4).map { Self.record($0) })
        let rest = try reader.read(from: first.cursor)
        #expect(rest.records == (4..<10).map { Self.record($0) })
        #expect(rest.problems.isEmpty)
        // Nothing new: the same cursor, no records; then new records appear after it.
        let none = try reader.read(from: rest.cursor)
        #expect(none.records.isEmpty && none.cursor == rest.cursor)
        try writer.append(Self.record(10), now: 1_001)
        try writer.flush()
        #expect(try reader.read(from: rest.cursor).records == [Self.record(10)])
        let persisted = try JSONDecoder().decode(SegmentCursor.self, from: JSONEncoder().encode(rest.cursor))
        #expect(persisted == rest.cursor)
    }

    @Test("rotation by size and by age makes segments whose names sort by time; reading crosses them in order")
    func rotation() throws {
        let path = try directory()
        let writer = try SegmentWriter(directory: path, kind: .predictions, policy: SegmentPolicy(rotateBytes: 1_000, rotateMilliseconds: 60_000))
        for index in 0..<20 { try writer.append(Self.record(index, body: 200), now: 5_000 + Int64(index)) }
        try writer.append(Self.record(20), now: 5_000 + 61_000)
        try writer.flush()
        let names = try SegmentDirectory.segmentNames(in: path)
        #expect(names.count > 5, "\(names)")
        #expect(names == names.sorted() && names.first == "00000000000005000-000000.seg")
        let all = try SegmentReader<PredictionRecord>(directory: path).read(from: nil)
        #expect(all.records.map(\.requestId) == (0...20).map { "req-\($0)" })
        #expect(all.problems.isEmpty)
    }

    @Test("a torn last record (writer killed mid-write) is never read while the segment may still grow, and skipped once a later segment exists")
    func tornTail() throws {
        let path = try directory()
        do {
            let writer = try SegmentWriter(directory: path, kind: .predictions)
            for index in 0..<3 { try writer.append(Self.record(index), now: 1_000) }
            try writer.closeSegment()
        }
        let name = try #require(try SegmentDirectory.segmentNames(in: path).first)
        // Half of a fourth frame, as a kill -9 in the middle of write(2) would leave.
        let frame = Self.record(3).encoded()
        let handle = try #require(FileHandle(forWritingAtPath: path + "/" + name))
        handle.seekToEndOfFile()
        handle.write(Data([UInt8(frame.count & 0xFF), UInt8(frame.count >> 8), 0, 0, 1, 2, 3, 4] + frame.prefix(10)))
        handle.closeFile()
        let reader = SegmentReader<PredictionRecord>(directory: path)
        let open = try reader.read(from: nil)
        #expect(open.records.count == 3)
        #expect(open.problems.isEmpty, "the last segment may still be written: no verdict yet")
        // The writer restarts: a new segment; the torn tail is now final and skipped.
        let restarted = try SegmentWriter(directory: path, kind: .predictions)
        try restarted.append(Self.record(4), now: 2_000)
        try restarted.flush()
        let next = try reader.read(from: open.cursor)
        #expect(next.records == [Self.record(4)])
        #expect(next.problems.map(\.kind) == [.tornTail])
        #expect(next.problems.first?.segment == name)
    }

    @Test("a record whose bytes changed fails its CRC: it and the rest of its segment are skipped, never misread")
    func checksumMismatch() throws {
        let path = try directory()
        let writer = try SegmentWriter(directory: path, kind: .predictions)
        for index in 0..<3 { try writer.append(Self.record(index), now: 1_000) }
        try writer.closeSegment()
        try writer.append(Self.record(3), now: 2_000)
        try writer.flush()
        let first = try #require(try SegmentDirectory.segmentNames(in: path).first)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path + "/" + first))
        // A byte inside the second record's payload.
        let frameSize = 8 + Self.record(0).encoded().count
        bytes[SegmentFormat.headerSize + frameSize + 8 + 20] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path + "/" + first))
        let read = try SegmentReader<PredictionRecord>(directory: path).read(from: nil)
        #expect(read.records.map(\.requestId) == ["req-0", "req-3"])
        #expect(read.problems.map(\.kind) == [.corrupt])
        #expect(read.problems.first?.offset == SegmentFormat.headerSize + frameSize)
    }

    @Test("retention deletes closed segments past their age, then the oldest while over maxBytes, never the one being written; a cursor in a deleted segment reads on")
    func retention() throws {
        let path = try directory()
        let writer = try SegmentWriter(directory: path, kind: .predictions,
                                       policy: SegmentPolicy(rotateBytes: 600, retentionMilliseconds: 3_600_000, maxBytes: 1 << 30))
        for index in 0..<12 { try writer.append(Self.record(index, body: 200), now: 1_000) }
        try writer.flush()
        let names = try SegmentDirectory.segmentNames(in: path)
        #expect(names.count >= 4)
        let reader = SegmentReader<PredictionRecord>(directory: path)
        let early = try reader.read(from: nil, maxRecords: 1)
        #expect(early.cursor?.segment == names[0])
        // By size: keep at most about two segments' bytes.
        writer.policy.maxBytes = 1_300
        let deleted = try writer.enforceRetention(now: 2_000)
        #expect(!deleted.isEmpty && !deleted.contains(writer.currentSegment ?? ""))
        #expect(deleted == Array(names.prefix(deleted.count)), "the oldest go first")
        let after = try reader.read(from: early.cursor)
        #expect(after.problems.first?.kind == .deleted)
        #expect(after.records.last == Self.record(11, body: 200), "reading goes on at the next segment that exists")
        // By age: everything closed is older than an hour from now + 2 h.
        writer.policy.maxBytes = 1 << 30
        let now = Int64(Date().timeIntervalSince1970 * 1000) + 7_200_000
        try writer.enforceRetention(now: now)
        #expect(try SegmentDirectory.segmentNames(in: path) == [writer.currentSegment])
    }

    @Test("a file that is not a segment, or a segment of a newer format, is skipped and named")
    func foreignFiles() throws {
        let path = try directory()
        let writer = try SegmentWriter(directory: path, kind: .predictions)
        try writer.append(Self.record(1), now: 1_000)
        try writer.closeSegment()
        try Data(repeating: 0x41, count: 64).write(to: URL(fileURLWithPath: path + "/00000000000000500-000009.seg"))
        let read = try SegmentReader<PredictionRecord>(directory: path).read(from: nil)
        #expect(read.records == [Self.record(1)])
        #expect(read.problems.count == 1 && read.problems[0].segment == "00000000000000500-000009.seg")
    }

    @Test("feedback records keep id, row, truth (scalar or list) and kpi")
    func feedbackRoundTrip() throws {
        let records = [
            FeedbackRecord(time: 5, id: "01JD6ZQ3V2V6E8Q3J3R0K2W9XN", truth: .scalar(.integer(1)), kpi: ["revenue": 12.5, "cost": -1]),
            FeedbackRecord(time: 6, id: "a", row: 2, truth: .list([.bool(true), .number(0.5), .string("x")])),
            FeedbackRecord(time: 7, id: "b", truth: nil, kpi: ["clicks": 3]),
        ]
        for record in records { #expect(try FeedbackRecord(decoding: record.encoded()) == record) }
        #expect(throws: SegmentError.self) { try FeedbackRecord(decoding: Array(records[0].encoded().dropLast())) }
    }

    @Test("CRC-32 is zlib's", arguments: [("123456789", UInt32(0xCBF4_3926)), ("", 0), ("a", 0xE8B7_BE43),
                                          ("The quick brown fox jumps over the lazy dog", 0x414F_A339), ("0123456789abcdef0", 0x4B63_7AC7),
                                          (String(repeating: "x", count: 1000), 0x3B41_C9E6)] as [(String, UInt32)])
    func crc(text: String, expected: UInt32) {
        #expect(CRC32Check.checksum(text) == expected)
        #expect(CRC32.checksum(Array(text.utf8)) == expected)
    }

    @Test("CRC-32 goes on across pieces: the CRC of a payload in two buffers is the whole one's, wherever it is cut")
    func crcInPieces() {
        let bytes = Array("The quick brown fox jumps over the lazy dog".utf8)
        for cut in 0...bytes.count {
            let crc = bytes[..<cut].withUnsafeBytes { first in
                bytes[cut...].withUnsafeBytes { second in CRC32.finish(CRC32.update(CRC32.update(CRC32.start, first), second)) }
            }
            #expect(crc == 0x414F_A339, "cut at \(cut)")
        }
    }
}

/// CRC32 is package-internal; its value shows in frames.
enum CRC32Check {
    static func checksum(_ text: String) -> UInt32 {
        // Frame: length, CRC, payload: read the CRC back from a segment written with the payload.
        let path = NSTemporaryDirectory() + "crc-" + UUID().uuidString
        struct Raw: SegmentRecord {
            static let kind = SegmentKind.feedback
            var bytes: [UInt8]
            func encoded() -> [UInt8] { bytes }
            init(decoding payload: [UInt8]) { bytes = payload }
        }
        guard let writer = try? SegmentWriter(directory: path, kind: .feedback) else { return 0 }
        try? writer.append(Raw(decoding: Array(text.utf8)), now: 1)
        try? writer.closeSegment()
        guard let name = try? SegmentDirectory.segmentNames(in: path).first,
              let data = FileManager.default.contents(atPath: path + "/" + name) else { return 0 }
        let bytes = Array(data)
        let at = SegmentFormat.headerSize + 4
        return UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
}
