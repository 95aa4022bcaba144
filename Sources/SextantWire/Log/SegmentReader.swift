#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a reader of a model's segments is: the segment, and the byte offset of the next
/// frame in it. The daemon persists it (JSON) to read only new records after a restart.
public struct SegmentCursor: Sendable, Hashable, Codable, Comparable {
    public var segment: String
    /// 0 before the header; `SegmentFormat.headerSize` at the first frame.
    public var offset: Int

    public init(segment: String, offset: Int = 0) {
        self.segment = segment
        self.offset = offset
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.segment, lhs.offset) < (rhs.segment, rhs.offset)
    }
}

/// Something a reader stepped over, to log or count; never a reason to stop reading.
public struct SegmentProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The cursor's segment was deleted (retention) before it was read to its end.
        case deleted
        /// A closed segment ends inside a frame (its writer was killed mid-write).
        case tornTail
        /// A frame whose CRC does not match its payload (or whose length is impossible):
        /// the rest of the segment is not read.
        case corrupt
        /// A frame that is intact but does not decode as a record of its kind: skipped.
        case malformed(String)
        /// A file with a segment's name but not a segment's header (or a newer format).
        case unreadable(String)
    }

    public var segment: String
    public var offset: Int
    public var kind: Kind

    public var description: String {
        switch kind {
        case .deleted: "\(segment) was deleted (retention) before it was read to its end"
        case .tornTail: "\(segment) ends in a torn record at byte \(offset) (its writer stopped mid-write): skipped"
        case .corrupt: "\(segment) has a corrupt record at byte \(offset) (CRC mismatch): the rest of it is skipped"
        case .malformed(let what): "\(segment) byte \(offset): \(what): skipped"
        case .unreadable(let what): "\(segment): \(what): skipped"
        }
    }
}

/// What one read returned: the records in order, the cursor to read on from, and what was stepped over.
public struct SegmentBatch<Record: SegmentRecord>: Sendable {
    public var records: [Record]
    /// Where the next read starts (nil when there were no segments at all).
    public var cursor: SegmentCursor?
    public var problems: [SegmentProblem]
}

/// Reads the records of one model's segments in order, from a cursor on, while a writer
/// may be appending (docs/prediction-log.md "Reading"):
/// * the segment being written is read to its last complete frame; the rest is read by a
///   later call;
/// * a segment is final once a later one exists (a writer starts a new one only after
///   closing the old): then a torn or corrupt tail is skipped and reading goes on in the next;
/// * a cursor whose segment was deleted by retention goes on at the next segment.
public struct SegmentReader<Record: SegmentRecord>: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// `STATE/predictions/MODEL` (or `feedback`) for `Record`'s kind.
    public init(state: String, model: String) {
        self.init(directory: SegmentDirectory.path(state: state, kind: Record.kind, model: model))
    }

    /// Reads records after `cursor` (from the oldest segment when nil), at most `maxRecords`.
    public func read(from cursor: SegmentCursor?, maxRecords: Int = 10_000) throws(SegmentError) -> SegmentBatch<Record> {
        // Listed before reading: a segment with a later one in this list was closed before it is read.
        let names = try SegmentDirectory.segmentNames(in: directory)
        var batch = SegmentBatch<Record>(records: [], cursor: cursor, problems: [])
        guard var position = cursor ?? names.first.map({ SegmentCursor(segment: $0) }) else { return batch }
        var index: Int
        if let found = names.firstIndex(of: position.segment) {
            index = found
        } else {
            guard let next = names.firstIndex(where: { $0 > position.segment }) else {
                if cursor != nil && names.isEmpty == false { batch.problems.append(SegmentProblem(segment: position.segment, offset: position.offset, kind: .deleted)) }
                return batch
            }
            if cursor != nil { batch.problems.append(SegmentProblem(segment: position.segment, offset: position.offset, kind: .deleted)) }
            index = next
            position = SegmentCursor(segment: names[next])
        }
        while true {
            let closed = index + 1 < names.count
            let end = try readSegment(&position, closed: closed, into: &batch, limit: maxRecords)
            batch.cursor = position
            guard end, closed else { return batch }
            index += 1
            position = SegmentCursor(segment: names[index])
            batch.cursor = position
        }
    }

    /// Reads frames of one segment from `position`, advancing it past each complete one.
    /// Returns whether the segment is done with (read to its end, or its rest skipped):
    /// false when `limit` records were read or an open segment has no more complete frames.
    private func readSegment(_ position: inout SegmentCursor, closed: Bool, into batch: inout SegmentBatch<Record>, limit: Int) throws(SegmentError) -> Bool {
        let path = directory + "/" + position.segment
        let file = open(path, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else {
            if errno == ENOENT {
                // Deleted since it was listed: retention took it.
                batch.problems.append(SegmentProblem(segment: position.segment, offset: position.offset, kind: .deleted))
                return true
            }
            throw .io(path: path, operation: "open", errno: errno)
        }
        defer { close(file) }
        var info = stat()
        guard fstat(file, &info) == 0 else { throw .io(path: path, operation: "read", errno: errno) }
        let size = Int(info.st_size)
        if position.offset < SegmentFormat.headerSize {
            guard size >= SegmentFormat.headerSize else {
                // Being created, or created by a writer killed at once.
                if closed && size > 0 { batch.problems.append(SegmentProblem(segment: position.segment, offset: 0, kind: .tornTail)) }
                return closed
            }
            let header = try Self.read(file, path: path, at: 0, count: SegmentFormat.headerSize)
            if let problem = Self.check(header: header) {
                batch.problems.append(SegmentProblem(segment: position.segment, offset: 0, kind: .unreadable(problem)))
                return true
            }
            position.offset = SegmentFormat.headerSize
        }
        while batch.records.count < limit {
            let remaining = size - position.offset
            if remaining == 0 { return closed }
            guard remaining >= SegmentFormat.frameHeaderSize else { return tail(.tornTail, position, closed: closed, into: &batch) }
            let frameHead = try Self.read(file, path: path, at: position.offset, count: SegmentFormat.frameHeaderSize)
            var reader = RecordReader(frameHead)
            let length = Int(try reader.integer(UInt32.self))
            let crc = try reader.integer(UInt32.self)
            guard length <= SegmentFormat.maxPayload else { return tail(.corrupt, position, closed: closed, into: &batch) }
            guard remaining >= SegmentFormat.frameHeaderSize + length else { return tail(.tornTail, position, closed: closed, into: &batch) }
            let payload = try Self.read(file, path: path, at: position.offset + SegmentFormat.frameHeaderSize, count: length)
            guard payload.withUnsafeBytes({ CRC32.checksum($0) }) == crc else { return tail(.corrupt, position, closed: closed, into: &batch) }
            do throws(SegmentError) {
                batch.records.append(try Record(decoding: payload))
            } catch {
                batch.problems.append(SegmentProblem(segment: position.segment, offset: position.offset, kind: .malformed("\(error)")))
            }
            position.offset += SegmentFormat.frameHeaderSize + length
        }
        return false
    }

    /// An incomplete or corrupt frame: the end of what can be read now of an open segment;
    /// in a closed one, a problem and the end of the segment.
    private func tail(_ kind: SegmentProblem.Kind, _ position: SegmentCursor, closed: Bool, into batch: inout SegmentBatch<Record>) -> Bool {
        if closed { batch.problems.append(SegmentProblem(segment: position.segment, offset: position.offset, kind: kind)) }
        return closed
    }

    private static func check(header: [UInt8]) -> String? {
        guard Array(header[0..<8]) == SegmentFormat.magic else { return "not a segment (no Sextant segment header)" }
        let version = Int(header[8]) | Int(header[9]) << 8
        guard version <= SegmentFormat.version else { return "segment format \(version) is newer than this sextant's \(SegmentFormat.version): upgrade sextant" }
        guard header[10] == Record.kind.rawValue else { return "a segment of another kind (\(header[10]))" }
        return nil
    }

    private static func read(_ file: Int32, path: String, at offset: Int, count: Int) throws(SegmentError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let result = bytes.withUnsafeMutableBytes { pread(file, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if result < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "read", errno: errno)
            }
            if result == 0 { throw .io(path: path, operation: "read (the file shrank)", errno: EIO) }
            done += result
        }
        return bytes
    }
}
