/// Little-endian fields of a record's payload, written in order.
package struct RecordWriter {
    package private(set) var bytes: [UInt8] = []

    package init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    package mutating func integer<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    package mutating func double(_ value: Double) {
        integer(value.bitPattern)
    }

    /// A length (`UInt32`) and the bytes.
    package mutating func blob(_ value: some Collection<UInt8>) {
        integer(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    /// Bytes as they are (after a length the caller wrote).
    package mutating func raw(_ value: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: value)
    }

    package mutating func string(_ value: String) {
        blob(value.utf8)
    }

    /// A presence byte (0 or 1), then the value when present.
    package mutating func optional<T>(_ value: T?, _ write: (inout Self, T) -> Void) {
        integer(UInt8(value == nil ? 0 : 1))
        if let value { write(&self, value) }
    }
}

/// Reads the fields `RecordWriter` wrote; any read past the end or a bad value throws.
package struct RecordReader {
    private let bytes: [UInt8]
    private var position = 0

    package init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    package var isAtEnd: Bool { position == bytes.count }

    package mutating func integer<T: FixedWidthInteger>(_: T.Type = T.self) throws(SegmentError) -> T {
        let size = MemoryLayout<T>.size
        guard bytes.count - position >= size else { throw .malformedRecord("ends inside a field") }
        var value = T.zero
        for index in 0..<size { value |= T(truncatingIfNeeded: bytes[position + index]) << (8 * index) }
        position += size
        return value
    }

    package mutating func double() throws(SegmentError) -> Double {
        Double(bitPattern: try integer(UInt64.self))
    }

    package mutating func blob() throws(SegmentError) -> [UInt8] {
        let count = Int(try integer(UInt32.self))
        guard bytes.count - position >= count else { throw .malformedRecord("a field longer than the record") }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    package mutating func string() throws(SegmentError) -> String {
        let blob = try blob()
        guard let text = String(validating: blob, as: UTF8.self) else { throw .malformedRecord("text that is not UTF-8") }
        return text
    }

    package mutating func optional<T>(_ read: (inout Self) throws(SegmentError) -> T) throws(SegmentError) -> T? {
        switch try integer(UInt8.self) {
        case 0: return nil
        case 1: return try read(&self)
        default: throw .malformedRecord("a presence byte that is neither 0 nor 1")
        }
    }
}
