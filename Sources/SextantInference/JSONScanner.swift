/// A JSON text read straight from its bytes, one value at a time, with no value tree: what
/// `InferenceMessage` and `TensorDataReader` build on. Strict JSON (RFC 8259): no `NaN`, no
/// comments, no trailing commas; strings must be valid UTF-8.
///
/// Every syntax error is a `BadRequest` naming the body (`the request is not JSON`), what was
/// expected, the byte offset, and the tensor being read when there is one.
struct JSONScanner {
    /// Arrays and objects nest at most this deep (a tabular request needs 5 or 6 levels).
    static let maxDepth = 64

    let bytes: UnsafeBufferPointer<UInt8>
    var offset: Int
    /// What the body is, for messages: `request` or `answer`.
    let subject: String
    /// The tensor being read (`input amount`), for messages.
    var tensor: String?

    init(_ bytes: UnsafeBufferPointer<UInt8>, subject: String, at offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
        self.subject = subject
    }

    // MARK: Errors

    /// A syntax error at the current offset.
    func syntaxError(_ problem: String) -> BadRequest {
        BadRequest("the \(subject) is not JSON: \(problem) at byte \(offset)\(tensor.map { " (in \($0))" } ?? "")")
    }

    /// `expected X, found Y` at the current offset.
    func unexpected(_ expected: String) -> BadRequest {
        guard offset < bytes.count else { return syntaxError("expected \(expected), found the end of the JSON") }
        let byte = bytes[offset]
        let found = byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16, uppercase: true))"
        return syntaxError("expected \(expected), found \(found)")
    }

    // MARK: Structure

    /// The next byte that is not whitespace, without taking it (nil at the end).
    mutating func peek() -> UInt8? {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return bytes[offset]
            }
        }
        return nil
    }

    /// Takes `byte` (after whitespace), or fails naming `what`.
    mutating func expect(_ byte: UInt8, _ what: String) throws(BadRequest) {
        guard peek() == byte else { throw unexpected(what) }
        offset += 1
    }

    /// After the top-level value: only whitespace may follow.
    mutating func expectEnd() throws(BadRequest) {
        if peek() != nil { throw syntaxError("unexpected data after the JSON value") }
    }

    /// Reads an object's members: calls `member` with each key, the scanner at its value,
    /// which `member` must read or skip.
    mutating func readObject(depth: Int, _ member: (inout JSONScanner, String) throws(BadRequest) -> Void) throws(BadRequest) {
        guard depth < Self.maxDepth else { throw syntaxError("arrays and objects nested more than \(Self.maxDepth) deep") }
        try expect(UInt8(ascii: "{"), "an object")
        if peek() == UInt8(ascii: "}") { offset += 1; return }
        while true {
            guard peek() == UInt8(ascii: "\"") else { throw unexpected("a key in quotes") }
            let key = try readString()
            try expect(UInt8(ascii: ":"), "':' after a key")
            try member(&self, key)
            switch peek() {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "}"): offset += 1; return
            default: throw unexpected("',' or '}' in an object")
            }
        }
    }

    /// Reads an array's elements: calls `element` with the scanner at each, which it must read
    /// or skip.
    mutating func readArray(depth: Int, _ element: (inout JSONScanner) throws(BadRequest) -> Void) throws(BadRequest) {
        guard depth < Self.maxDepth else { throw syntaxError("arrays and objects nested more than \(Self.maxDepth) deep") }
        try expect(UInt8(ascii: "["), "an array")
        if peek() == UInt8(ascii: "]") { offset += 1; return }
        while true {
            try element(&self)
            switch peek() {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "]"): offset += 1; return
            default: throw unexpected("',' or ']' in an array")
            }
        }
    }

    /// `true`, `false` or `null` (the scanner at its first letter).
    mutating func readLiteral() throws(BadRequest) -> JSONElement {
        if matches("null") { offset += 4; return .null }
        if matches("true") { offset += 4; return .bool(true) }
        if matches("false") { offset += 5; return .bool(false) }
        if matches("NaN") || matches("Infinity") || matches("-Infinity") {
            throw syntaxError("NaN and Infinity are not JSON values; send null for a missing value")
        }
        throw unexpected("a value")
    }

    private func matches(_ word: String) -> Bool {
        var index = offset
        for byte in word.utf8 {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
        }
        return true
    }

    // MARK: Values of any shape

    /// Reads and drops one value, checking its syntax.
    mutating func skipValue(depth: Int) throws(BadRequest) {
        switch peek() {
        case UInt8(ascii: "{"): try readObject(depth: depth) { scanner, _ throws(BadRequest) in try scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): try readArray(depth: depth) { scanner throws(BadRequest) in try scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): _ = try readString()
        case UInt8(ascii: "-"), .some(UInt8(ascii: "0")...UInt8(ascii: "9")): _ = try readNumber()
        default: _ = try readLiteral()
        }
    }

    /// Reads one value as a tree: for the small values a message describes (shapes, sizes).
    mutating func readElement(depth: Int) throws(BadRequest) -> JSONElement {
        switch peek() {
        case UInt8(ascii: "{"):
            var fields: [String: JSONElement] = [:]
            try readObject(depth: depth) { scanner, key throws(BadRequest) in fields[key] = try scanner.readElement(depth: depth + 1) }
            return .object(fields)
        case UInt8(ascii: "["):
            var items: [JSONElement] = []
            try readArray(depth: depth) { scanner throws(BadRequest) in items.append(try scanner.readElement(depth: depth + 1)) }
            return .array(items)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "-"), .some(UInt8(ascii: "0")...UInt8(ascii: "9")): return .number(try readNumber())
        default: return try readLiteral()
        }
    }

    /// A string's value, or nil (the value skipped) when the value is not a string.
    mutating func readStringIfAny(depth: Int) throws(BadRequest) -> String? {
        if peek() == UInt8(ascii: "\"") { return try readString() }
        try skipValue(depth: depth)
        return nil
    }

    /// A boolean's value, or nil (the value skipped) when the value is not a boolean.
    mutating func readBoolIfAny(depth: Int) throws(BadRequest) -> Bool? {
        switch peek() {
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            if case .bool(let flag) = try readLiteral() { return flag }
            return nil
        default:
            try skipValue(depth: depth)
            return nil
        }
    }
}
