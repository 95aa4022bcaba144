/// Strings and numbers, read from the bytes.
extension JSONScanner {
    // MARK: Strings

    /// A string's value (the scanner at its opening quote): every escape, `\uXXXX` surrogate
    /// pairs joined, UTF-8 checked.
    mutating func readString() throws(BadRequest) -> String {
        offset += 1
        let start = offset
        // The common case: no escape, nothing to copy but the bytes themselves.
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let text = try decodeUTF8(UnsafeBufferPointer(rebasing: bytes[start..<offset]), at: start)
                offset += 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            offset += 1
        }
        var unescaped = Array(bytes[start..<offset])
        while offset < bytes.count {
            let byte = bytes[offset]
            switch byte {
            case UInt8(ascii: "\""):
                offset += 1
                return try unescaped.withUnsafeBufferPointer { buffer throws(BadRequest) in try decodeUTF8(buffer, at: start) }
            case UInt8(ascii: "\\"):
                try readEscape(into: &unescaped)
            case ..<0x20:
                throw syntaxError("a control character (0x\(String(byte, radix: 16, uppercase: true))) in a string; escape it")
            default:
                unescaped.append(byte)
                offset += 1
            }
        }
        throw syntaxError("a string without its closing quote")
    }

    private func decodeUTF8(_ buffer: UnsafeBufferPointer<UInt8>, at start: Int) throws(BadRequest) -> String {
        guard let text = String(validating: buffer, as: UTF8.self) else {
            var scanner = self
            scanner.offset = start
            throw scanner.syntaxError("a string that is not valid UTF-8")
        }
        return text
    }

    /// One escape (the scanner at its backslash), appended as UTF-8.
    private mutating func readEscape(into text: inout [UInt8]) throws(BadRequest) {
        guard offset + 1 < bytes.count else { throw syntaxError("a string without its closing quote") }
        let letter = bytes[offset + 1]
        let simple: UInt8? = switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): letter
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
        if let simple {
            text.append(simple)
            offset += 2
            return
        }
        guard letter == UInt8(ascii: "u") else { throw syntaxError("an unknown escape \\\(Character(Unicode.Scalar(letter)))") }
        let first = try readHexEscape()
        var scalar: UInt32 = first
        if (0xD800..<0xDC00).contains(first) {
            // A high surrogate: its low half must follow as a second \u escape.
            guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                throw syntaxError("a \\u escape of a high surrogate without its low surrogate")
            }
            let second = try readHexEscape()
            guard (0xDC00..<0xE000).contains(second) else { throw syntaxError("a \\u escape of a high surrogate without its low surrogate") }
            scalar = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else if (0xDC00..<0xE000).contains(first) {
            throw syntaxError("a \\u escape of a low surrogate without its high surrogate")
        }
        text.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
    }

    /// `\uXXXX` (the scanner at its backslash) as a number.
    private mutating func readHexEscape() throws(BadRequest) -> UInt32 {
        guard offset + 6 <= bytes.count else { throw syntaxError("a \\u escape cut short") }
        var value: UInt32 = 0
        for index in (offset + 2)..<(offset + 6) {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw syntaxError("a \\u escape needs 4 hexadecimal digits")
            }
            value = value << 4 | UInt32(digit)
        }
        offset += 6
        return value
    }

    // MARK: Numbers

    /// 10^exponent for 0...22: exact in a Double, so a whole number below 2⁵³ times or over
    /// one of them is the correctly rounded result (Clinger's fast path). A switch, not a
    /// table: no lazy global to check on every number.
    private static func powerOfTen(_ exponent: Int) -> Double {
        switch exponent {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    /// A number (the scanner at its first byte), in the JSON grammar, correctly rounded; one
    /// beyond Double's range reads as ±infinity (which every datatype refuses by name).
    mutating func readNumber() throws(BadRequest) -> Double {
        let start = offset
        var negative = false
        if bytes[offset] == UInt8(ascii: "-") {
            negative = true
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "I") {
                offset = start
                throw syntaxError("NaN and Infinity are not JSON values; send null for a missing value")
            }
        }
        var mantissa: UInt64 = 0
        var exact = true
        var exponent = 0
        // Whole part: 0, or a digit 1-9 and more digits.
        guard offset < bytes.count, isDigit(bytes[offset]) else { throw unexpected("a digit") }
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
            if offset < bytes.count, isDigit(bytes[offset]) { throw syntaxError("a number with a leading zero") }
        } else {
            while offset < bytes.count, isDigit(bytes[offset]) {
                accumulate(bytes[offset], into: &mantissa, exact: &exact, exponent: &exponent, fraction: false)
                offset += 1
            }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw unexpected("a digit after the decimal point") }
            while offset < bytes.count, isDigit(bytes[offset]) {
                accumulate(bytes[offset], into: &mantissa, exact: &exact, exponent: &exponent, fraction: true)
                offset += 1
            }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            var exponentNegative = false
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                exponentNegative = bytes[offset] == UInt8(ascii: "-")
                offset += 1
            }
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw unexpected("a digit in the exponent") }
            var written = 0
            while offset < bytes.count, isDigit(bytes[offset]) {
                if written < 100_000 { written = written * 10 + Int(bytes[offset] - UInt8(ascii: "0")) }
                offset += 1
            }
            exponent += exponentNegative ? -written : written
        }
        if exact, mantissa <= 1 << 53, abs(exponent) <= 22 {
            let value = exponent >= 0 ? Double(mantissa) * Self.powerOfTen(exponent) : Double(mantissa) / Self.powerOfTen(-exponent)
            return negative ? -value : value
        }
        // Many digits or a large exponent: the standard library's correctly rounded parse.
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        return Double(text) ?? .nan
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    /// One more digit of the mantissa, while it fits 19 digits exactly.
    private func accumulate(_ byte: UInt8, into mantissa: inout UInt64, exact: inout Bool, exponent: inout Int, fraction: Bool) {
        guard exact, mantissa <= (UInt64.max - 9) / 10 else {
            exact = false
            return
        }
        mantissa = mantissa * 10 + UInt64(byte - UInt8(ascii: "0"))
        if fraction { exponent -= 1 }
    }
}
