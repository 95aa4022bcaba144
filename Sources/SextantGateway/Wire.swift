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

    /// A request head for a model server: `Host` names it, hop-by-hop fields and `Expect`
    /// (the gateway answers `100 Continue` itself) are dropped.
    static func writeRequestHead(_ head: HTTPRequestHead, host: String, into buffer: inout ByteBuffer) -> Framing {
        buffer.writeString(head.method.rawValue)
        buffer.writeStaticString(" ")
        buffer.writeString(head.uri)
        buffer.writeStaticString(" HTTP/1.1\r\nHost: ")
        buffer.writeString(host)
        buffer.writeStaticString("\r\n")
        var length = false, chunked = false
        let named = Hop.connectionTokens(head.headers)
        for (name, value) in head.headers {
            switch Hop.kind(of: name) {
            case .host, .expect, .hopByHop:
                continue
            case .transferEncoding:
                chunked = chunked || value.lowercased().contains("chunked")
                continue
            case .contentLength:
                length = true
            case .other:
                if let named, named.contains(name.lowercased()) { continue }
            }
            writeField(name, value, into: &buffer)
        }
        if chunked && !length {
            buffer.writeStaticString("Transfer-Encoding: chunked\r\n")
        }
        buffer.writeStaticString("\r\n")
        return chunked && !length ? .chunked : .asIs
    }

    /// An answer head for the client: the server's status and fields (hop-by-hop ones
    /// already left out by the parser), the revision named, and the framing the client's
    /// HTTP version allows.
    static func writeResponseHead(_ head: AnswerHead, version: HTTPVersion, bodyAllowed: Bool, revision: Int, requestId: String?, keepAlive: inout Bool,
                                  into buffer: inout ByteBuffer) -> Framing {
        buffer.writeStaticString(version.major == 1 && version.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        buffer.writeString(String(head.status))
        buffer.writeStaticString(" ")
        buffer.writeImmutableBuffer(head.reason)
        buffer.writeStaticString("\r\n")
        buffer.writeImmutableBuffer(head.fields)
        var framing = Framing.asIs
        if head.contentLength == nil && bodyAllowed && head.mayHaveBody {
            if version.major == 1 && version.minor >= 1 {
                buffer.writeStaticString("Transfer-Encoding: chunked\r\n")
                framing = .chunked
            } else {
                keepAlive = false
                framing = .untilClose
            }
        }
        buffer.writeStaticString("X-Sextant-Revision: ")
        buffer.writeString(String(revision))
        buffer.writeStaticString("\r\n")
        if let requestId { writeField("X-Request-Id", requestId, into: &buffer) }
        writeConnection(keepAlive: keepAlive, version: version, into: &buffer)
        buffer.writeStaticString("\r\n")
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
}

/// Fields of one connection, never forwarded (RFC 9110 §7.6.1).
enum Hop {
    enum Kind {
        case host, expect, contentLength, transferEncoding, hopByHop, other
    }

    /// Without allocating: most fields are none of these.
    static func kind(of name: String) -> Kind {
        switch name.utf8.count {
        case 2: return equal(name, "te") ? .hopByHop : .other
        case 4: return equal(name, "host") ? .host : .other
        case 6: return equal(name, "expect") ? .expect : .other
        case 7: return equal(name, "trailer") || equal(name, "upgrade") ? .hopByHop : .other
        case 10: return equal(name, "connection") || equal(name, "keep-alive") ? .hopByHop : .other
        case 14: return equal(name, "content-length") ? .contentLength : .other
        case 16: return equal(name, "proxy-connection") ? .hopByHop : .other
        case 17: return equal(name, "transfer-encoding") ? .transferEncoding : .other
        case 18: return equal(name, "proxy-authenticate") ? .hopByHop : .other
        case 19: return equal(name, "proxy-authorization") ? .hopByHop : .other
        default: return .other
        }
    }

    /// The fields a `Connection` header names (lowercased), nil when it names none but the
    /// usual `keep-alive`/`close`.
    static func connectionTokens(_ headers: HTTPHeaders) -> Set<String>? {
        var tokens: Set<String>?
        for (name, value) in headers where kind(of: name) == .hopByHop && equal(name, "connection") {
            // Nearly always exactly one of these: no need to split.
            if equal(value, "keep-alive") || equal(value, "close") { continue }
            for token in value.split(separator: ",") {
                let field = token.trimmingCharacters(in: .whitespaces).lowercased()
                if field != "keep-alive" && field != "close" && !field.isEmpty { tokens = (tokens ?? []).union([field]) }
            }
        }
        return tokens
    }

    /// ASCII case-insensitive equality with a lowercase name.
    static func equal(_ name: String, _ lowercase: StaticString) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
            let other = lowercase.utf8Start
            for index in 0..<bytes.count {
                var byte = bytes[index]
                if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
                if byte != other[index] { return false }
            }
            return true
        }
    }
}
