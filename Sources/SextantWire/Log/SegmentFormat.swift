/// The bytes of a segment file (docs/prediction-log.md): a 16-byte header, then frames.
///
/// Header: the magic `SXTLOG\r\n`, the format version (UInt16, little-endian), the kind
/// (`SegmentKind`, one byte), five zero bytes. Frame: the payload's length (UInt32 LE), the
/// CRC-32 of the payload (UInt32 LE), the payload. A frame that ends past the end of the
/// file is torn (a writer killed mid-write); one whose CRC does not match is corrupt.
/// Neither is ever decoded.
public enum SegmentFormat {
    public static let version = 1
    static let magic: [UInt8] = Array("SXTLOG\r\n".utf8)
    public static let headerSize = 16
    static let frameHeaderSize = 8
    /// Longer payloads are taken for corruption: a record holds one request and its answer.
    public static let maxPayload = 1 << 30
    /// Names are `<17-digit milliseconds since 1970>-<6-digit sequence>.seg`, so that they sort by time.
    public static let fileExtension = ".seg"

    static func header(kind: SegmentKind) -> [UInt8] {
        var writer = RecordWriter(capacity: headerSize)
        for byte in magic { writer.integer(byte) }
        writer.integer(UInt16(version))
        writer.integer(kind.rawValue)
        for _ in 0..<5 { writer.integer(UInt8(0)) }
        return writer.bytes
    }

    /// Appends one frame around the payload `first` followed by `second`.
    static func appendFrame(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: UInt32(first.count + second.count).littleEndian) { bytes.append(contentsOf: $0) }
        let crc = CRC32.finish(CRC32.update(CRC32.update(CRC32.start, first), second))
        withUnsafeBytes(of: crc.littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: first)
        bytes.append(contentsOf: second)
    }

    /// `00001733000000000-000001.seg`.
    public static func name(milliseconds: Int64, sequence: Int) -> String {
        let time = String(max(milliseconds, 0))
        let number = String(sequence % 1_000_000)
        return String(repeating: "0", count: max(0, 17 - time.count)) + time + "-" + String(repeating: "0", count: 6 - number.count) + number
            + fileExtension
    }

    /// The time and sequence a segment's name holds; nil for a name that is not a segment's.
    public static func parse(name: String) -> (milliseconds: Int64, sequence: Int)? {
        guard name.hasSuffix(fileExtension) else { return nil }
        let stem = name.dropLast(fileExtension.count).split(separator: "-")
        guard stem.count == 2, stem[0].count == 17, stem[1].count == 6, let time = Int64(stem[0]), let sequence = Int(stem[1]) else { return nil }
        return (time, sequence)
    }
}
