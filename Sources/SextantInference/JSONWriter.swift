/// JSON written straight into bytes, no `Encodable` in between: what the model server's
/// answers and evaluation's requests are made of.
///
/// Numbers are written in the shortest form that reads back as the same `Double` (the
/// standard library's `description`, without a trailing `.0`, as `JSONEncoder` writes them);
/// a value that is not finite is written as `null`, so the JSON never holds `inf` or `nan`.
package struct JSONWriter: TextOutputStream {
    /// What has been written so far.
    package private(set) var bytes: [UInt8] = []

    /// - Parameter capacity: the bytes to reserve room for (an estimate of the whole).
    package init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Bytes written as they are: punctuation and keys that need no escaping.
    package mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// `"key":` for a key that needs no escaping.
    package mutating func key(_ name: StaticString) {
        bytes.append(UInt8(ascii: "\""))
        raw(name)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// `,` between two members or elements.
    package mutating func comma() {
        bytes.append(UInt8(ascii: ","))
    }

    /// A string in quotes: `"`, `\\` and control characters escaped, the rest as UTF-8.
    package mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var start = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                escape(byte)
                start = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            let hex = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
        }
    }

    /// A number in its shortest round-trip form; `null` when it is not finite.
    package mutating func number(_ value: Double) {
        guard value.isFinite else { return raw("null") }
        value.write(to: &self)
        // `7.0` as `7`, as JSONEncoder writes it (the datatype says it is a float).
        let count = bytes.count
        if count >= 2, bytes[count - 1] == UInt8(ascii: "0"), bytes[count - 2] == UInt8(ascii: ".") {
            bytes.removeLast(2)
        }
    }

    /// A whole number in decimal digits.
    package mutating func integer(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for 20 digits, written backwards
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            let end = buffer.count
            repeat {
                count += 1
                buffer[end - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: buffer[(end - count)..<end])
        }
    }

    /// `true` or `false`.
    package mutating func bool(_ value: Bool) {
        value ? raw("true") : raw("false")
    }

    // MARK: TextOutputStream, for `Double.write(to:)`

    /// Text written as it is (no quotes, no escaping): a datatype name, digits.
    package mutating func write(_ string: String) {
        bytes.append(contentsOf: string.utf8)
    }

    /// What `Double.write(to:)` calls: its digits without a `String` in between.
    package mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: buffer)
    }
}
