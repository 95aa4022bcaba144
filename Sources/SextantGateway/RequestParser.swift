#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// One part of a client's request, as the gateway's `RequestParser` delivers it.
enum RequestPart {
    case head(RequestHead)
    /// Body bytes as they came (a chunked body's chunk data, its framing removed).
    case body(ByteBuffer)
    case end
}

/// The gateway's reader of its clients' HTTP/1.1 requests, straight from the bytes of
/// each read: heads (`RequestHead`, validated strictly), then bodies framed by
/// `Content-Length` or `Transfer-Encoding: chunked` (its chunk data delivered as slices of
/// the read, without copying; trailers dropped), pipelined requests one after another. A
/// head, chunk-size line or trailer section split over reads is kept until it is complete;
/// the search for its end goes on where the last read's stopped.
struct RequestParser {
    /// What a head (or a trailer section) may take before it is complete: llhttp's limit,
    /// which the gateway had before.
    static let maxHeadBytes = 80 * 1024
    /// A chunk-size line with its extensions.
    static let maxChunkLineBytes = 4096

    private enum State {
        case head
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        /// The CRLF after chunk data.
        case chunkDataEnd
        case trailers
    }

    private var state = State.head
    /// Bytes of earlier reads: the start of a head, chunk-size line or trailer section.
    private var kept: ByteBuffer?
    /// How far the bytes were searched for a LF, and where the line in progress starts
    /// (from the reader index of what is kept).
    private var scanned = 0
    private var lineStart = 0

    /// Reads `input`, delivering each part as it is complete; stops when `deliver`
    /// returns false (the request was refused: what follows is dropped).
    mutating func parse(_ input: ByteBuffer, _ deliver: (RequestPart) -> Bool) throws(RequestError) {
        var buffer: ByteBuffer
        if var kept {
            self.kept = nil
            kept.writeImmutableBuffer(input)
            buffer = kept
        } else {
            buffer = input
        }
        reading: while buffer.readableBytes > 0 {
            switch state {
            case .head:
                if scanned == 0, !skipEmptyLines(&buffer) { break reading }
                guard let end = try sectionEnd(buffer, limit: Self.maxHeadBytes, error: .headTooLarge(limit: Self.maxHeadBytes)) else { break reading }
                let head = try RequestHead.parse(buffer.readSlice(length: end)!)
                if head.chunked {
                    state = .chunkSize
                } else if let length = head.contentLength, length > 0 {
                    state = .body(remaining: length)
                }
                guard deliver(.head(head)) else { return }
                if case .head = state, !deliver(.end) { return }
            case .body(let remaining):
                let count = min(remaining, buffer.readableBytes)
                state = count == remaining ? .head : .body(remaining: remaining - count)
                guard deliver(.body(buffer.readSlice(length: count)!)) else { return }
                if case .head = state, !deliver(.end) { return }
            case .chunkSize:
                guard let end = try sectionEnd(buffer, limit: Self.maxChunkLineBytes, error: .chunkSize, oneLine: true) else { break reading }
                let size = try Self.chunkSize(buffer.readSlice(length: end)!)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let count = min(remaining, buffer.readableBytes)
                state = count == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - count)
                guard deliver(.body(buffer.readSlice(length: count)!)) else { return }
            case .chunkDataEnd:
                let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self)!
                if first == UInt8(ascii: "\n") {
                    buffer.moveReaderIndex(forwardBy: 1)
                } else {
                    guard first == UInt8(ascii: "\r") else { throw .chunkEnd }
                    guard let second = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self) else { break reading }
                    guard second == UInt8(ascii: "\n") else { throw .chunkEnd }
                    buffer.moveReaderIndex(forwardBy: 2)
                }
                state = .chunkSize
            case .trailers:
                guard let end = try sectionEnd(buffer, limit: Self.maxHeadBytes, error: .trailers) else { break reading }
                buffer.moveReaderIndex(forwardBy: end)
                state = .head
                guard deliver(.end) else { return }
            }
        }
        // The section in progress continues in the next read.
        if buffer.readableBytes > 0 { kept = buffer }
    }

    /// Empty lines before a request line are ignored (RFC 9112 §2.2); false when the bytes
    /// end before the next line does.
    private func skipEmptyLines(_ buffer: inout ByteBuffer) -> Bool {
        while let byte = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) {
            if byte == UInt8(ascii: "\n") {
                buffer.moveReaderIndex(forwardBy: 1)
            } else if byte == UInt8(ascii: "\r") {
                guard let next = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self) else { return false }
                guard next == UInt8(ascii: "\n") else { return true }
                buffer.moveReaderIndex(forwardBy: 2)
            } else {
                return true
            }
        }
        return true
    }

    /// The length of the section at the start of `buffer`, through the LF of its first
    /// empty line (or of its first line, `oneLine`); nil when the bytes end before it.
    private mutating func sectionEnd(_ buffer: ByteBuffer, limit: Int, error: RequestError, oneLine: Bool = false) throws(RequestError) -> Int? {
        while let end = nextLineEnd(buffer) {
            let length = end - lineStart
            let empty = length == 1 || (length == 2 && buffer.getInteger(at: buffer.readerIndex + lineStart, as: UInt8.self) == UInt8(ascii: "\r"))
            if empty || oneLine {
                scanned = 0
                lineStart = 0
                guard end <= limit else { throw error }
                return end
            }
            lineStart = end
        }
        guard buffer.readableBytes <= limit else { throw error }
        return nil
    }

    /// Past the next LF in `buffer`, searching on from `scanned`.
    private mutating func nextLineEnd(_ buffer: ByteBuffer) -> Int? {
        let from = scanned
        let found: Int? = buffer.withUnsafeReadableBytes { bytes in
            guard from < bytes.count, let base = bytes.baseAddress, let hit = memchr(base + from, 0x0A, bytes.count - from) else { return nil }
            return base.distance(to: UnsafeRawPointer(hit)) + 1
        }
        scanned = found ?? buffer.readableBytes
        return found
    }

    /// A chunk-size line: hexadecimal digits (at most 15), then optional whitespace and
    /// extensions (`;…`, dropped), then CRLF or LF.
    private static func chunkSize(_ line: ByteBuffer) throws(RequestError) -> Int {
        let size = line.withUnsafeReadableBytes { bytes -> Int? in
            var size = 0, index = 0
            while index < bytes.count, let digit = hexValue(bytes[index]) {
                size = size << 4 | digit
                index += 1
            }
            guard index > 0, index <= 15 else { return nil }
            while FieldName.isWhitespace(bytes[index]) { index += 1 }
            if bytes[index] == UInt8(ascii: ";") {
                while bytes[index] >= 0x20 && bytes[index] != 0x7F || bytes[index] == UInt8(ascii: "\t") { index += 1 }
            }
            if bytes[index] == UInt8(ascii: "\r") { index += 1 }
            return bytes[index] == UInt8(ascii: "\n") ? size : nil
        }
        guard let size else { throw .chunkSize }
        return size
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
