import NIOCore

/// Writes a message head's pieces into a `ByteBuffer` through one access to its storage.
/// Each `writeStaticString`/`writeString`/`writeBuffer` on a `ByteBuffer` checks its
/// uniqueness and exclusivity and may grow it; a head of a dozen pieces paid that a dozen
/// times per message, a few percent of the gateway's user CPU (perf, issue 20 part 4).
struct HeadWriter {
    private let base: UnsafeMutableRawPointer
    private let capacity: Int
    /// The bytes written so far.
    private(set) var count = 0

    private init(_ bytes: UnsafeMutableRawBufferPointer) {
        base = bytes.baseAddress!
        capacity = bytes.count
    }

    /// Runs `body` with a writer of at most `atMost` bytes at the end of `buffer`; what it
    /// wrote becomes readable. Writing more than `atMost` bytes is a programming error (trap).
    static func write(into buffer: inout ByteBuffer, atMost: Int, _ body: (inout HeadWriter) -> Void) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: atMost) { bytes in
            var writer = HeadWriter(bytes)
            body(&writer)
            return writer.count
        }
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let start = bytes.baseAddress, bytes.count > 0 else { return }
        precondition(count + bytes.count <= capacity, "a head outgrew its reserved room")
        (base + count).copyMemory(from: start, byteCount: bytes.count)
        count += bytes.count
    }

    mutating func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    mutating func append(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { append($0) }
    }

    /// An integer's bytes, least significant first.
    mutating func append<Integer: FixedWidthInteger>(littleEndian value: Integer) {
        withUnsafeBytes(of: value.littleEndian) { append($0) }
    }

    mutating func appendZeros(_ count: Int) {
        precondition(self.count + count <= capacity, "a head outgrew its reserved room")
        (base + self.count).initializeMemory(as: UInt8.self, repeating: 0, count: count)
        self.count += count
    }

    /// A number in decimal, as `String(value)` writes it.
    mutating func append(decimal number: Int) {
        if number < 0 { append("-") }
        var value = number.magnitude
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        precondition(count + digits <= capacity, "a head outgrew its reserved room")
        var at = count + digits
        repeat {
            at -= 1
            base.storeBytes(of: UInt8(ascii: "0") + UInt8(value % 10), toByteOffset: at, as: UInt8.self)
            value /= 10
        } while value > 0
        count += digits
    }
}
