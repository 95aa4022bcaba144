import NIOCore

/// The head of a model server's answer, as the gateway needs it: the status, the fields to
/// pass on (as bytes, hop-by-hop ones and `Transfer-Encoding` left out), and the framing.
struct AnswerHead {
    var status: Int
    /// The reason phrase as the server wrote it.
    var reason: ByteBuffer
    /// `Name: value\r\n` lines to pass on, `Content-Length` among them.
    var fields: ByteBuffer
    var contentLength: Int?
    /// Whether the server keeps the connection open after this answer.
    var keepAlive: Bool
    /// The binary tensor extension (`Inference-Header-Content-Length`): not JSON.
    var binary: Bool

    var mayHaveBody: Bool { !(100..<200).contains(status) && status != 204 && status != 304 }
}

enum AnswerPart {
    case head(AnswerHead)
    case body(ByteBuffer)
    case end
}

struct AnswerParseError: Error, CustomStringConvertible {
    var description: String
}

/// Reads HTTP/1.1 answers from a model server's bytes without building header lists: the
/// head is scanned once (framing, keep-alive, fields to drop), body bytes are slices of what
/// was read (chunked bodies de-chunked). `HTTPResponseDecoder` did the same work through
/// llhttp callbacks, a String per field and three pipeline events per answer; on the
/// gateway's hot path that was a sizeable share of its CPU. A class: its connection asks
/// whether it is idle while it is emitting an answer's end.
final class AnswerParser {
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

    /// A request went out: its answer comes next (with no body for a HEAD).
    func expectAnswer(toHead: Bool) {
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
    func feed(_ input: ByteBuffer, _ emit: (AnswerPart) -> Void) throws(AnswerParseError) {
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
    func closed(_ emit: (AnswerPart) -> Void) {
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

    /// Parses a whole head (status line, fields, empty line).
    private static func parseHead(_ head: ByteBuffer) throws(AnswerParseError) -> HeadInfo {
        var head = head
        guard let statusLine = try readLine(&head, limit: headLimit) else { throw AnswerParseError(description: "no status line") }
        let (minor, status, reason) = try parseStatusLine(statusLine)
        var fields = ByteBufferAllocator().buffer(capacity: head.readableBytes)
        var contentLength: Int?
        var chunked = false
        var close = minor == 0
        var binary = false
        var named: [ByteBuffer] = []
        while let line = try readLine(&head, limit: headLimit), line.readableBytes > 0 {
            guard let colon = line.readableBytesView.firstIndex(of: UInt8(ascii: ":")) else {
                throw AnswerParseError(description: "a header line without a colon")
            }
            let name = line.getSlice(at: line.readerIndex, length: colon - line.readerIndex)!
            guard name.readableBytes > 0, !name.readableBytesView.contains(where: { $0 == 0x20 || $0 == 0x09 }) else {
                throw AnswerParseError(description: "a header name with white space")
            }
            let value = trimmed(line.getSlice(at: colon + 1, length: line.writerIndex - colon - 1)!)
            switch Field(name) {
            case .contentLength:
                guard let length = decimal(value), contentLength == nil || contentLength == length else {
                    throw AnswerParseError(description: "a bad or repeated Content-Length")
                }
                contentLength = length
            case .transferEncoding:
                chunked = chunked || endsWithChunked(value)
                continue
            case .connection:
                // Nearly always exactly one of these two.
                if equal(value, "keep-alive") {
                    if minor == 0 { close = false }
                } else if equal(value, "close") {
                    close = true
                } else {
                    for token in value.readableBytesView.split(separator: UInt8(ascii: ",")) {
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
                binary = true
            case .other:
                break
            }
            var line = line
            fields.writeBuffer(&line)
            fields.writeStaticString("\r\n")
        }
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
        return HeadInfo(head: AnswerHead(status: status, reason: reason, fields: fields, contentLength: chunked ? nil : contentLength, keepAlive: !close,
                                         binary: binary),
                        chunked: chunked)
    }

    private static func parseStatusLine(_ line: ByteBuffer) throws(AnswerParseError) -> (minor: Int, status: Int, reason: ByteBuffer) {
        let bytes = line.readableBytesView
        guard bytes.count >= 12, bytes.starts(with: "HTTP/1.".utf8) else { throw AnswerParseError(description: "not an HTTP/1.x status line") }
        let start = bytes.startIndex
        let minor = Int(bytes[start + 7]) - Int(UInt8(ascii: "0"))
        guard minor == 0 || minor == 1, bytes[start + 8] == UInt8(ascii: " ") else { throw AnswerParseError(description: "not an HTTP/1.x status line") }
        var status = 0
        for offset in 9..<12 {
            let digit = Int(bytes[start + offset]) - Int(UInt8(ascii: "0"))
            guard (0...9).contains(digit) else { throw AnswerParseError(description: "a status that is not three digits") }
            status = status * 10 + digit
        }
        let reason = bytes.count > 13 ? line.getSlice(at: line.readerIndex + 13, length: bytes.count - 13)! : ByteBuffer()
        return (minor, status, reason)
    }

    private enum Field {
        case contentLength, transferEncoding, connection, hopByHop, binary, other

        init(_ name: ByteBuffer) {
            switch name.readableBytes {
            case 2: self = AnswerParser.equal(name, "te") ? .hopByHop : .other
            case 7: self = AnswerParser.equal(name, "trailer") || AnswerParser.equal(name, "upgrade") ? .hopByHop : .other
            case 10:
                if AnswerParser.equal(name, "connection") { self = .connection } else { self = AnswerParser.equal(name, "keep-alive") ? .hopByHop : .other }
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
        return bytes.withUnsafeReadableBytes { raw in
            let other = lowercase.utf8Start
            for index in 0..<raw.count {
                var byte = raw[index]
                if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
                if byte != other[index] { return false }
            }
            return true
        }
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

    private static func decimal(_ value: ByteBuffer) -> Int? {
        guard value.readableBytes > 0, value.readableBytes <= 18 else { return nil }
        var result = 0
        for byte in value.readableBytesView {
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
