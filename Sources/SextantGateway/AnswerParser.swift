public import NIOCore

/// The head of a model server's answer, as the gateway needs it: the status, the fields to
/// pass on (as bytes, hop-by-hop ones and `Transfer-Encoding` left out), and the framing.
public struct AnswerHead {
    var status: Int
    /// The reason phrase as the server wrote it.
    var reason: ByteBuffer
    /// `Name: value\r\n` lines to pass on, `Content-Length` among them.
    var fields: ByteBuffer
    var contentLength: Int?
    /// Whether the server keeps the connection open after this answer.
    var keepAlive: Bool
    /// The binary tensor extension (`Inference-Header-Content-Length`): not JSON.
    var binary: Bool { inferenceHeaderLength != nil }
    /// Its `Inference-Header-Content-Length`: the JSON header's size.
    var inferenceHeaderLength: Int?
    /// Its `Content-Type` value (a slice of the head), for the prediction log.
    var contentType: ByteBuffer?

    var mayHaveBody: Bool { !(100..<200).contains(status) && status != 204 && status != 304 }
}

public enum AnswerPart {
    case head(AnswerHead)
    case body(ByteBuffer)
    case end
}

public struct AnswerParseError: Error, CustomStringConvertible {
    public var description: String
}

/// Reads HTTP/1.1 answers from a model server's bytes without building header lists: the
/// head is scanned once (framing, keep-alive, fields to drop), body bytes are slices of what
/// was read (chunked bodies de-chunked). `HTTPResponseDecoder` did the same work through
/// llhttp callbacks, a String per field and three pipeline events per answer; on the
/// gateway's hot path that was a sizeable share of its CPU. A class: its connection asks
/// whether it is idle while it is emitting an answer's end.
///
/// Public for the fuzz target `FuzzGatewayAnswer` (Fuzz/, docs/fuzzing.md) only.
public final class AnswerParser {
    private enum State {
        /// No request is waiting for an answer: bytes now are a protocol error.
        case idle
        case head(skipBody: Bool)
        case length(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
    }

    private var state = State.idle
    private var pending: ByteBuffer?
    static let headLimit = 64 << 10

    public init() {}

    /// A request went out: its answer comes next (with no body for a HEAD).
    public func expectAnswer(toHead: Bool) {
        state = .head(skipBody: toHead)
    }

    /// Whether the answer in progress ends with the connection (no length, not chunked).
    var endsWithClose: Bool {
        if case .untilClose = state { return true }
        return false
    }

    var isIdle: Bool {
        if case .idle = state { return true }
        return false
    }

    /// Feeds bytes read; emits the parts they complete.
    public func feed(_ input: ByteBuffer, _ emit: (AnswerPart) -> Void) throws(AnswerParseError) {
        var buffer: ByteBuffer
        if var pending {
            var input = input
            pending.writeBuffer(&input)
            buffer = pending
            self.pending = nil
        } else {
            buffer = input
        }
        while buffer.readableBytes > 0 {
            switch state {
            case .idle:
                throw AnswerParseError(description: "the server sent \(buffer.readableBytes) bytes nobody asked for")
            case .head(let skipBody):
                guard let end = Self.headEnd(buffer) else {
                    guard buffer.readableBytes <= Self.headLimit else { throw AnswerParseError(description: "an answer head over 64 KiB") }
                    pending = buffer
                    return
                }
                let headBytes = buffer.readSlice(length: end)!
                var info = try Self.parseHead(headBytes)
                if (100..<200).contains(info.head.status) && info.head.status != 101 {
                    continue  // interim answers (100 Continue) are not passed on; the final one follows
                }
                let body: State
                if skipBody || !info.head.mayHaveBody {
                    body = .idle
                } else if info.chunked {
                    body = .chunkSize
                } else if let length = info.head.contentLength {
                    body = length == 0 ? .idle : .length(remaining: length)
                } else {
                    // Neither length nor chunks: the end of the connection ends the body.
                    info.head.keepAlive = false
                    body = .untilClose
                }
                emit(.head(info.head))
                state = body
                if case .idle = body { emit(.end) }
            case .length(let remaining):
                let slice = buffer.readSlice(length: min(remaining, buffer.readableBytes))!
                emit(.body(slice))
                if remaining - slice.readableBytes == 0 {
                    state = .idle
                    emit(.end)
                } else {
                    state = .length(remaining: remaining - slice.readableBytes)
                }
            case .chunkSize:
                guard let line = try Self.readLine(&buffer, limit: 1024) else {
                    pending = buffer
                    return
                }
                let size = try Self.chunkSize(line)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let slice = buffer.readSlice(length: min(remaining, buffer.readableBytes))!
                emit(.body(slice))
                state = remaining == slice.readableBytes ? .chunkDataEnd : .chunkData(remaining: remaining - slice.readableBytes)
            case .chunkDataEnd:
                guard buffer.readableBytes >= 2 else {
                    pending = buffer
                    return
                }
                guard buffer.readInteger(as: UInt16.self) == 0x0D0A else { throw AnswerParseError(description: "a chunk not followed by CRLF") }
                state = .chunkSize
            case .trailers:
                guard let line = try Self.readLine(&buffer, limit: Self.headLimit) else {
                    pending = buffer
                    return
                }
                if line.readableBytes == 0 {
                    state = .idle
                    emit(.end)
                }
            case .untilClose:
                emit(.body(buffer.readSlice(length: buffer.readableBytes)!))
            }
        }
    }

    /// The connection closed: the end of an answer that runs until then.
    public func closed(_ emit: (AnswerPart) -> Void) {
        if case .untilClose = state {
            state = .idle
            emit(.end)
        }
    }

    // MARK: - Reading

    /// The length of the head including its final CRLFCRLF, if it is all there.
    private static func headEnd(_ buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { bytes -> Int? in
            guard bytes.count >= 4 else { return nil }
            for index in 3..<bytes.count where bytes[index] == 0x0A && bytes[index - 1] == 0x0D && bytes[index - 2] == 0x0A && bytes[index - 3] == 0x0D {
                return index + 1
            }
            return nil
        }
    }

    /// A line without its CRLF, nil when it is not all there.
    private static func readLine(_ buffer: inout ByteBuffer, limit: Int) throws(AnswerParseError) -> ByteBuffer? {
        let newline = buffer.withUnsafeReadableBytes { $0.firstIndex(of: 0x0A) }
        guard let newline else {
            if buffer.readableBytes > limit { throw AnswerParseError(description: "a line over \(limit) bytes") }
            return nil
        }
        guard newline >= 1, buffer.getInteger(at: buffer.readerIndex + newline - 1, as: UInt8.self) == 0x0D else {
            throw AnswerParseError(description: "a line not ended by CRLF")
        }
        let line = buffer.readSlice(length: newline - 1)!
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }

    private static func chunkSize(_ line: ByteBuffer) throws(AnswerParseError) -> Int {
        var size = 0
        var digits = 0
        for byte in line.readableBytesView {
            let value: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(byte - UInt8(ascii: "A")) + 10
            case UInt8(ascii: ";"), UInt8(ascii: " "), UInt8(ascii: "\t"):
                guard digits > 0 else { throw AnswerParseError(description: "a chunk size without digits") }
                return size
            default:
                throw AnswerParseError(description: "a chunk size that is not hexadecimal")
            }
            digits += 1
            guard digits <= 15 else { throw AnswerParseError(description: "a chunk size too large") }
            size = size * 16 + value
        }
        guard digits > 0 else { throw AnswerParseError(description: "a chunk size without digits") }
        return size
    }

    /// Parses a whole head (status line, fields, empty line) in one pass over its bytes;
    /// the fields to pass on are copied line by line, CRLF included.
    private static func parseHead(_ head: ByteBuffer) throws(AnswerParseError) -> HeadInfo {
        var fields = ByteBufferAllocator().buffer(capacity: head.readableBytes)
        var failure: String?
        var minor = 1, status = 0, reasonRange = 0..<0
        var contentLength: Int?
        var chunked = false, close = false
        var inferenceHeaderLength: Int?
        var contentType: ByteBuffer?
        var named: [ByteBuffer] = []
        head.withUnsafeReadableBytes { bytes in
            var start = 0
            /// The next line without its CRLF; nil at the end or on a bare LF.
            func nextLine() -> Range<Int>? {
                var index = start
                while index < bytes.count && bytes[index] != 0x0A { index += 1 }
                guard index < bytes.count, index > start, bytes[index - 1] == 0x0D else {
                    failure = failure ?? "a line not ended by CRLF"
                    return nil
                }
                let line = start..<(index - 1)
                start = index + 1
                return line
            }
            guard let statusLine = nextLine() else { return }
            switch statusParts(bytes, statusLine) {
            case .none:
                failure = "not an HTTP/1.x status line"
                return
            case .some(let parts):
                (minor, status, reasonRange) = parts
            }
            close = minor == 0
            while let line = nextLine(), !line.isEmpty {
                var colon = line.lowerBound
                while colon < line.upperBound && bytes[colon] != UInt8(ascii: ":") { colon += 1 }
                guard colon < line.upperBound, colon > line.lowerBound else {
                    failure = "a header line without a name and a colon"
                    return
                }
                let name = line.lowerBound..<colon
                guard !bytes[name].contains(where: { $0 == 0x20 || $0 == 0x09 }) else {
                    failure = "a header name with white space"
                    return
                }
                var valueStart = colon + 1, valueEnd = line.upperBound
                while valueStart < valueEnd && (bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09) { valueStart += 1 }
                while valueEnd > valueStart && (bytes[valueEnd - 1] == 0x20 || bytes[valueEnd - 1] == 0x09) { valueEnd -= 1 }
                let value = UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd])
                switch Field(UnsafeRawBufferPointer(rebasing: bytes[name])) {
                case .contentLength:
                    guard let length = decimal(value), contentLength == nil || contentLength == length else {
                        failure = "a bad or repeated Content-Length"
                        return
                    }
                    contentLength = length
                case .transferEncoding:
                    chunked = chunked || endsWithChunked(ByteBuffer(bytes: value))
                    continue
                case .connection:
                    // Nearly always exactly one of these two.
                    if equal(value, "keep-alive") {
                        if minor == 0 { close = false }
                    } else if equal(value, "close") {
                        close = true
                    } else {
                        for token in value.split(separator: UInt8(ascii: ",")) {
                            let token = trimmed(ByteBuffer(bytes: token))
                            if equal(token, "close") {
                                close = true
                            } else if equal(token, "keep-alive") {
                                if minor == 0 { close = false }
                            } else if token.readableBytes > 0 {
                                named.append(token)
                            }
                        }
                    }
                    continue
                case .hopByHop:
                    continue
                case .binary:
                    inferenceHeaderLength = decimal(value) ?? 0
                case .contentType:
                    contentType = head.getSlice(at: head.readerIndex + valueStart, length: valueEnd - valueStart)
                case .requestId:
                    // The gateway writes the request's id itself.
                    continue
                case .other:
                    break
                }
                fields.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[line.lowerBound..<(line.upperBound + 2)]))
            }
        }
        if let failure { throw AnswerParseError(description: failure) }
        if !named.isEmpty {
            // Fields the Connection header names are of this connection only (rare).
            var kept = ByteBufferAllocator().buffer(capacity: fields.readableBytes)
            while let line = try readLine(&fields, limit: headLimit) {
                let colon = line.readableBytesView.firstIndex(of: UInt8(ascii: ":"))!
                let name = line.getSlice(at: line.readerIndex, length: colon - line.readerIndex)!
                guard !named.contains(where: { equal(name, $0) }) else { continue }
                var line = line
                kept.writeBuffer(&line)
                kept.writeStaticString("\r\n")
            }
            fields = kept
        }
        let reason = head.getSlice(at: head.readerIndex + reasonRange.lowerBound, length: reasonRange.count) ?? ByteBuffer()
        return HeadInfo(head: AnswerHead(status: status, reason: reason, fields: fields, contentLength: chunked ? nil : contentLength, keepAlive: !close,
                                         inferenceHeaderLength: inferenceHeaderLength, contentType: contentType),
                        chunked: chunked)
    }

    /// `HTTP/1.x SSS reason`: the minor version, the status and where the reason is.
    private static func statusParts(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>) -> (Int, Int, Range<Int>)? {
        guard line.count >= 12 else { return nil }
        let prefix: StaticString = "HTTP/1."
        for offset in 0..<7 where bytes[line.lowerBound + offset] != prefix.utf8Start[offset] { return nil }
        let minor = Int(bytes[line.lowerBound + 7]) - Int(UInt8(ascii: "0"))
        guard minor == 0 || minor == 1, bytes[line.lowerBound + 8] == UInt8(ascii: " ") else { return nil }
        var status = 0
        for offset in 9..<12 {
            let digit = Int(bytes[line.lowerBound + offset]) - Int(UInt8(ascii: "0"))
            guard (0...9).contains(digit) else { return nil }
            status = status * 10 + digit
        }
        let reason = line.count > 13 ? (line.lowerBound + 13)..<line.upperBound : line.upperBound..<line.upperBound
        return (minor, status, reason)
    }

    private enum Field {
        case contentLength, transferEncoding, connection, hopByHop, binary, contentType, requestId, other

        init(_ name: UnsafeRawBufferPointer) {
            switch name.count {
            case 2: self = AnswerParser.equal(name, "te") ? .hopByHop : .other
            case 7: self = AnswerParser.equal(name, "trailer") || AnswerParser.equal(name, "upgrade") ? .hopByHop : .other
            case 10:
                if AnswerParser.equal(name, "connection") { self = .connection } else { self = AnswerParser.equal(name, "keep-alive") ? .hopByHop : .other }
            case 12:
                if AnswerParser.equal(name, "content-type") { self = .contentType } else { self = AnswerParser.equal(name, "x-request-id") ? .requestId : .other }
            case 14: self = AnswerParser.equal(name, "content-length") ? .contentLength : .other
            case 16: self = AnswerParser.equal(name, "proxy-connection") ? .hopByHop : .other
            case 17: self = AnswerParser.equal(name, "transfer-encoding") ? .transferEncoding : .other
            case 18: self = AnswerParser.equal(name, "proxy-authenticate") ? .hopByHop : .other
            case 19: self = AnswerParser.equal(name, "proxy-authorization") ? .hopByHop : .other
            case 31: self = AnswerParser.equal(name, "inference-header-content-length") ? .binary : .other
            default: self = .other
            }
        }
    }

    struct HeadInfo {
        var head: AnswerHead
        var chunked: Bool
    }

    /// ASCII case-insensitive equality with a lowercase name.
    static func equal(_ bytes: ByteBuffer, _ lowercase: StaticString) -> Bool {
        guard bytes.readableBytes == lowercase.utf8CodeUnitCount else { return false }
        return bytes.withUnsafeReadableBytes { equal($0, lowercase) }
    }

    static func equal(_ raw: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        guard raw.count == lowercase.utf8CodeUnitCount else { return false }
        let other = lowercase.utf8Start
        for index in 0..<raw.count {
            var byte = raw[index]
            if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
            if byte != other[index] { return false }
        }
        return true
    }

    private static func equal(_ a: ByteBuffer, _ b: ByteBuffer) -> Bool {
        guard a.readableBytes == b.readableBytes else { return false }
        return zip(a.readableBytesView, b.readableBytesView).allSatisfy { x, y in
            (x >= 0x41 && x <= 0x5A ? x | 0x20 : x) == (y >= 0x41 && y <= 0x5A ? y | 0x20 : y)
        }
    }

    private static func trimmed(_ value: ByteBuffer) -> ByteBuffer {
        var value = value
        while let first = value.getInteger(at: value.readerIndex, as: UInt8.self), first == 0x20 || first == 0x09 { value.moveReaderIndex(forwardBy: 1) }
        while value.readableBytes > 0, let last = value.getInteger(at: value.writerIndex - 1, as: UInt8.self), last == 0x20 || last == 0x09 {
            value.moveWriterIndex(to: value.writerIndex - 1)
        }
        return value
    }

    private static func decimal(_ value: UnsafeRawBufferPointer) -> Int? {
        guard value.count > 0, value.count <= 18 else { return nil }
        var result = 0
        for byte in value {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            result = result * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return result
    }

    private static func endsWithChunked(_ value: ByteBuffer) -> Bool {
        let tokens = value.readableBytesView.split(separator: UInt8(ascii: ","))
        guard let last = tokens.last else { return false }
        return equal(trimmed(ByteBuffer(bytes: last)), "chunked")
    }
}
