import NIOCore
import NIOHTTP1
import SextantWire

/// A client's request head as the gateway reads it (`RequestParser`): its bytes as they
/// came, with what the gateway needs of them found once (method, target, version, framing,
/// keep-alive, `Expect`, the request id and the prediction log's fields), as offsets into
/// those bytes. No `String` per field is made; a field the gateway does not know is looked
/// at only when the head is forwarded (`writeForwarded`) or a header route asks for it.
struct RequestHead {
    enum Method: Equatable {
        case get, head, post, other
    }

    /// The head, from its request line to its empty line (included).
    let bytes: ByteBuffer
    let method: Method
    /// Where the method and the request target are in `bytes`.
    let methodRange: Range<Int>
    let targetRange: Range<Int>
    /// 0 or 1: HTTP/1.0 or HTTP/1.1.
    let minorVersion: Int
    /// Where the first field line starts in `bytes`.
    let fieldsStart: Int
    /// The body's length by `Content-Length`; nil with none.
    var contentLength: Int?
    /// Whether the body is chunked (`Transfer-Encoding: chunked`).
    var chunked = false
    /// Whether the connection stays open after the answer, as the client asked.
    var keepAlive = true
    /// Whether the client waits for `100 Continue` (an `Expect` field, HTTP/1.1).
    var expectsContinue = false
    /// Whether `Connection` names fields other than `keep-alive` and `close` (not forwarded).
    var connectionNamesFields = false
    /// Where the values of `X-Request-Id`, `Content-Type` and `Content-Length` are.
    var requestIdRange: Range<Int>?
    var contentTypeRange: Range<Int>?
    var contentLengthRange: Range<Int>?
    /// `Inference-Header-Content-Length` (the OIP binary extension), when it is a number.
    var inferenceHeaderLength: Int?

    var version: HTTPVersion { HTTPVersion(major: 1, minor: minorVersion) }

    /// The request target as text (the gateway's slow paths and messages).
    var uri: String { string(targetRange) }

    func string(_ range: Range<Int>) -> String {
        bytes.getString(at: bytes.readerIndex + range.lowerBound, length: range.count) ?? ""
    }

    /// Calls `body` with the request target's bytes.
    func withTarget<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        bytes.withUnsafeReadableBytes { body(UnsafeRawBufferPointer(rebasing: $0[targetRange])) }
    }

    /// The value of the first field named `name` (any case), e.g. for a header route.
    func field(_ name: String) -> String? {
        var found: Range<Int>?
        var name = name
        name.withUTF8 { wanted in
            forEachField { line, nameRange, valueRange in
                guard found == nil, FieldName.equalIgnoringCase(UnsafeRawBufferPointer(rebasing: line[nameRange]), UnsafeRawBufferPointer(wanted)) else { return }
                found = valueRange
            }
        }
        return found.map(string)
    }

    /// The request's assignment unit under an experiment: the keyed hash of the value of
    /// its unit header (the first field of that name, any case), hashed where it is in the
    /// head (no `String` made); nil when the experiment names no header or the request
    /// does not carry it.
    func unit(for assignment: ExperimentAssignment) -> UInt64? {
        guard var name = assignment.unitHeader else { return nil }
        var unit: UInt64?
        name.withUTF8 { wanted in
            forEachField { line, nameRange, valueRange in
                guard unit == nil, FieldName.equalIgnoringCase(UnsafeRawBufferPointer(rebasing: line[nameRange]), UnsafeRawBufferPointer(wanted)) else { return }
                unit = assignment.unit(ofUTF8: UnsafeRawBufferPointer(rebasing: line[valueRange]))
            }
        }
        return unit
    }

    /// Calls `body` with the head's bytes and the name and value ranges of each field line.
    func forEachField(_ body: (UnsafeRawBufferPointer, Range<Int>, Range<Int>) -> Void) {
        bytes.withUnsafeReadableBytes { line in
            var start = fieldsStart
            while start < line.count {
                var end = start
                while line[end] != UInt8(ascii: "\n") { end += 1 }
                var valueEnd = end
                if valueEnd > start && line[valueEnd - 1] == UInt8(ascii: "\r") { valueEnd -= 1 }
                guard valueEnd > start else { return }
                var colon = start
                while line[colon] != UInt8(ascii: ":") { colon += 1 }
                var valueStart = colon + 1
                while valueStart < valueEnd && FieldName.isWhitespace(line[valueStart]) { valueStart += 1 }
                while valueEnd > valueStart && FieldName.isWhitespace(line[valueEnd - 1]) { valueEnd -= 1 }
                body(line, start..<colon, valueStart..<valueEnd)
                start = end + 1
            }
        }
    }
}

/// Field names read as bytes, without allocating: most fields are none the gateway knows.
enum FieldName {
    enum Kind {
        case host, expect, contentLength, transferEncoding, connection, hopByHop, requestId, contentType, inferenceHeaderLength, other
    }

    static func kind(of name: UnsafeRawBufferPointer) -> Kind {
        switch name.count {
        case 2: return equal(name, "te") ? .hopByHop : .other
        case 4: return equal(name, "host") ? .host : .other
        case 6: return equal(name, "expect") ? .expect : .other
        case 7: return equal(name, "trailer") || equal(name, "upgrade") ? .hopByHop : .other
        case 10:
            if equal(name, "connection") { return .connection }
            return equal(name, "keep-alive") ? .hopByHop : .other
        case 12:
            if equal(name, "content-type") { return .contentType }
            return equal(name, "x-request-id") ? .requestId : .other
        case 14: return equal(name, "content-length") ? .contentLength : .other
        case 16: return equal(name, "proxy-connection") ? .hopByHop : .other
        case 17: return equal(name, "transfer-encoding") ? .transferEncoding : .other
        case 18: return equal(name, "proxy-authenticate") ? .hopByHop : .other
        case 19: return equal(name, "proxy-authorization") ? .hopByHop : .other
        case 31: return equal(name, "inference-header-content-length") ? .inferenceHeaderLength : .other
        default: return .other
        }
    }

    /// ASCII case-insensitive equality with a lowercase name.
    static func equal(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        equalIgnoringCase(bytes, UnsafeRawBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount))
    }

    static func equalIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ other: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == other.count else { return false }
        for index in 0..<bytes.count where lower(bytes[index]) != lower(other[index]) { return false }
        return true
    }

    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    /// RFC 9110 §5.6.2 `tchar`: what methods, field names and transfer codings are made of.
    static func isToken(_ byte: UInt8) -> Bool {
        tokenTable[Int(byte)]
    }

    private static let tokenTable: [Bool] = (0..<256).map { value in
        let byte = UInt8(value)
        if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { return true }
        if lower(byte) >= UInt8(ascii: "a") && lower(byte) <= UInt8(ascii: "z") { return true }
        return "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }
}
