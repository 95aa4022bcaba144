import Foundation
import NIOCore
import NIOHTTP1

/// HTTP/1.1 heads written as bytes by the proxy itself, straight from the parsed heads:
/// no second header list is built and no encoder handler runs (the gateway's own cost per
/// request is mostly such pipeline work). Bodies are written as they came, framed by their
/// `Content-Length`, or chunked again when they came chunked.
enum Wire {
    enum Framing {
        /// `Content-Length`, or no body: parts are written as they are.
        case asIs
        /// Each part is a chunk; the end is the last chunk.
        case chunked
        /// The end of the connection ends the body (an HTTP/1.0 client without a length).
        case untilClose
    }

    /// A request head for a model server, from the client's bytes: the request line with
    /// HTTP/1.1 (its target under `pathPrefix`, the endpoint's path), `Host` naming the
    /// server, the client's fields as they came but for the hop-by-hop ones, `Expect` (the
    /// gateway answers `100 Continue` itself) and the ones `Connection` names; the framing
    /// written once, as the parser read it.
    static func writeRequestHead(_ head: RequestHead, host: String, pathPrefix: String = "", into buffer: inout ByteBuffer) -> Framing {
        let named = head.connectionNamesFields ? connectionTokens(head) : []
        // Room: every field line as it came (a line ending in a bare LF gets CRLF: at most a
        // third more), the path prefix, the `Host` and the framing fields.
        let fieldBytes = head.bytes.readableBytes - head.fieldsStart
        let room = head.bytes.readableBytes + fieldBytes / 3 + pathPrefix.utf8.count + host.utf8.count + 64
        HeadWriter.write(into: &buffer, atMost: room) { writer in
            head.bytes.withUnsafeReadableBytes { bytes in
                if pathPrefix.isEmpty {
                    writer.append(UnsafeRawBufferPointer(rebasing: bytes[..<head.targetRange.upperBound]))
                } else {
                    // The gateway proxies only origin-form targets (`/v2/…`): the prefix goes before the `/`.
                    writer.append(UnsafeRawBufferPointer(rebasing: bytes[..<head.targetRange.lowerBound]))
                    writer.append(pathPrefix)
                    writer.append(UnsafeRawBufferPointer(rebasing: bytes[head.targetRange]))
                }
            }
            writer.append(" HTTP/1.1\r\nHost: ")
            writer.append(host)
            writer.append("\r\n")
            head.forEachField { bytes, name, value in
                let nameBytes = UnsafeRawBufferPointer(rebasing: bytes[name])
                switch FieldName.kind(of: nameBytes) {
                case .host, .expect, .contentLength, .transferEncoding, .connection, .hopByHop: return
                case .requestId, .contentType, .inferenceHeaderLength, .other: break
                }
                if !named.isEmpty, named.contains(where: { token in token.withUnsafeBytes { FieldName.equalIgnoringCase(nameBytes, $0) } }) { return }
                writer.append(UnsafeRawBufferPointer(rebasing: bytes[name.lowerBound..<value.upperBound]))
                writer.append("\r\n")
            }
            if let length = head.contentLength {
                writer.append("Content-Length: ")
                writer.append(decimal: length)
                writer.append("\r\n")
            } else if head.chunked {
                writer.append("Transfer-Encoding: chunked\r\n")
            }
            writer.append("\r\n")
        }
        return head.chunked ? .chunked : .asIs
    }

    /// The fields a `Connection` field names besides `keep-alive` and `close` (lowercase).
    private static func connectionTokens(_ head: RequestHead) -> [[UInt8]] {
        var tokens: [[UInt8]] = []
        head.forEachField { bytes, name, value in
            guard case .connection = FieldName.kind(of: UnsafeRawBufferPointer(rebasing: bytes[name])) else { return }
            for token in bytes[value].split(separator: UInt8(ascii: ",")) {
                let field = token.drop(while: FieldName.isWhitespace).reversed().drop(while: FieldName.isWhitespace).reversed().map(FieldName.lower)
                if !field.isEmpty { tokens.append(field) }
            }
        }
        return tokens
    }

    /// An answer head for the client: the server's status and fields (hop-by-hop ones
    /// already left out by the parser), the revision named, and the framing the client's
    /// HTTP version allows.
    static func writeResponseHead(_ head: AnswerHead, version: HTTPVersion, bodyAllowed: Bool, revision: Int, requestId: String?, keepAlive: inout Bool,
                                  into buffer: inout ByteBuffer) -> Framing {
        var framing = Framing.asIs
        if head.contentLength == nil && bodyAllowed && head.mayHaveBody {
            if version.major == 1 && version.minor >= 1 {
                framing = .chunked
            } else {
                keepAlive = false
                framing = .untilClose
            }
        }
        // Room: the status line and fields as they came, and at most 180 bytes of the gateway's own.
        let room = head.reason.readableBytes + head.fields.readableBytes + (requestId?.utf8.count ?? 0) + 180
        let keepAlive = keepAlive
        HeadWriter.write(into: &buffer, atMost: room) { writer in
            writer.append(version.major == 1 && version.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
            writer.append(decimal: head.status)
            writer.append(" ")
            writer.append(head.reason)
            writer.append("\r\n")
            writer.append(head.fields)
            if case .chunked = framing { writer.append("Transfer-Encoding: chunked\r\n") }
            writer.append("X-Sextant-Revision: ")
            writer.append(decimal: revision)
            writer.append("\r\n")
            if let requestId {
                writer.append("X-Request-Id: ")
                writer.append(requestId)
                writer.append("\r\n")
            }
            if !keepAlive {
                writer.append("Connection: close\r\n")
            } else if version.major == 1 && version.minor == 0 {
                writer.append("Connection: keep-alive\r\n")
            }
            writer.append("\r\n")
        }
        return framing
    }

    /// A whole answer made by the gateway.
    static func writeAnswer(status: HTTPResponseStatus, version: HTTPVersion, contentType: String?, body: ByteBuffer, revision: Int?, requestId: String? = nil,
                            keepAlive: Bool,
                            into buffer: inout ByteBuffer) {
        writeStatusLine(status, version: version, into: &buffer)
        if let contentType { writeField("Content-Type", contentType, into: &buffer) }
        writeField("Content-Length", String(body.readableBytes), into: &buffer)
        if let revision { writeField("X-Sextant-Revision", String(revision), into: &buffer) }
        if let requestId { writeField("X-Request-Id", requestId, into: &buffer) }
        writeConnection(keepAlive: keepAlive, version: version, into: &buffer)
        buffer.writeStaticString("\r\n")
        var body = body
        buffer.writeBuffer(&body)
    }

    static let continueAnswer = ByteBuffer(string: "HTTP/1.1 100 Continue\r\n\r\n")

    private static func writeStatusLine(_ status: HTTPResponseStatus, version: HTTPVersion, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(version.major == 1 && version.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        buffer.writeString(String(status.code))
        buffer.writeStaticString(" ")
        buffer.writeString(status.reasonPhrase)
        buffer.writeStaticString("\r\n")
    }

    private static func writeConnection(keepAlive: Bool, version: HTTPVersion, into buffer: inout ByteBuffer) {
        if !keepAlive {
            buffer.writeStaticString("Connection: close\r\n")
        } else if version.major == 1 && version.minor == 0 {
            buffer.writeStaticString("Connection: keep-alive\r\n")
        }
    }

    private static func writeField(_ name: String, _ value: String, into buffer: inout ByteBuffer) {
        buffer.writeString(name)
        buffer.writeStaticString(": ")
        buffer.writeString(value)
        buffer.writeStaticString("\r\n")
    }
}

extension Wire.Framing {
    private static let chunkEnd = ByteBuffer(string: "\r\n")
    private static let lastChunk = ByteBuffer(string: "0\r\n\r\n")

    /// Writes a part of a body framed this way: as one chunk, or as it is (the proxy's
    /// answers to clients and its requests to servers alike).
    func writeBody(_ part: ByteBuffer, to context: ChannelHandlerContext) {
        guard case .chunked = self else {
            context.write(NIOAny(part), promise: nil)
            return
        }
        var header = context.channel.allocator.buffer(capacity: 12)
        header.writeString(String(part.readableBytes, radix: 16))
        header.writeStaticString("\r\n")
        context.write(NIOAny(header), promise: nil)
        context.write(NIOAny(part), promise: nil)
        context.write(NIOAny(Self.chunkEnd), promise: nil)
    }

    /// Ends a body framed this way: the last chunk, or nothing.
    func writeEnd(to context: ChannelHandlerContext) {
        if case .chunked = self { context.write(NIOAny(Self.lastChunk), promise: nil) }
    }

    /// Copies a part of a body framed this way to the end of `buffer` (a held head).
    func appendBody(_ part: ByteBuffer, to buffer: inout ByteBuffer) {
        guard case .chunked = self else {
            buffer.writeImmutableBuffer(part)
            return
        }
        buffer.writeString(String(part.readableBytes, radix: 16))
        buffer.writeStaticString("\r\n")
        buffer.writeImmutableBuffer(part)
        buffer.writeStaticString("\r\n")
    }

    /// Ends a body framed this way at the end of `buffer` (a held head).
    func appendEnd(to buffer: inout ByteBuffer) {
        if case .chunked = self { buffer.writeStaticString("0\r\n\r\n") }
    }
}
