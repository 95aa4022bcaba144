import Foundation
import NIOCore
import NIOHTTP1

/// One whole answer of the model server, written as the bytes of its head and body into one
/// buffer (one write and one flush per answer, no encoder handler and no header list).
struct ModelAnswer {
    var status: HTTPResponseStatus
    /// JSON, or nothing.
    var json: [UInt8]
    /// The binary tensor data extension: the binary part after the JSON (then the content
    /// type is `application/octet-stream` and `Inference-Header-Content-Length` the JSON's length).
    var binary: [UInt8]?

    init(status: HTTPResponseStatus = .ok, json: [UInt8], binary: [UInt8]? = nil) {
        self.status = status
        self.json = json
        self.binary = binary
    }

    /// 200 without a body.
    static let ok = ModelAnswer(json: [])

    /// OIP's `{"error": message}`.
    static func error(_ message: String, status: HTTPResponseStatus) -> ModelAnswer {
        ModelAnswer(status: status, json: errorBody(message))
    }

    static func errorBody(_ message: String) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return Array((try? encoder.encode(["error": message])) ?? Data(#"{"error":"request failed"}"#.utf8))
    }

    /// - Parameters:
    ///   - version: the request's; an HTTP/1.0 client is answered in HTTP/1.0.
    ///   - withBody: false for a HEAD request: the head says the length, no body follows.
    ///   - date: the `Date` field's value (see `HTTPDate`).
    func write(version: HTTPVersion, keepAlive: Bool, withBody: Bool, date: ByteBuffer, into buffer: inout ByteBuffer) {
        let http10 = version.major == 1 && version.minor == 0
        switch (status, http10) {
        case (.ok, false): buffer.writeStaticString("HTTP/1.1 200 OK\r\n")
        default:
            buffer.writeStaticString(http10 ? "HTTP/1.0 " : "HTTP/1.1 ")
            buffer.writeString(String(status.code))
            buffer.writeStaticString(" ")
            buffer.writeString(status.reasonPhrase)
            buffer.writeStaticString("\r\n")
        }
        if let binary {
            buffer.writeStaticString("Content-Type: application/octet-stream\r\nContent-Length: ")
            buffer.writeString(String(json.count + binary.count))
            buffer.writeStaticString("\r\nInference-Header-Content-Length: ")
            buffer.writeString(String(json.count))
        } else {
            if !json.isEmpty { buffer.writeStaticString("Content-Type: application/json\r\n") }
            buffer.writeStaticString("Content-Length: ")
            buffer.writeString(String(json.count))
        }
        buffer.writeStaticString("\r\nDate: ")
        buffer.writeImmutableBuffer(date)
        buffer.writeStaticString("\r\nServer: sextant-serve-model\r\n")
        if !keepAlive {
            buffer.writeStaticString("Connection: close\r\n")
        } else if http10 {
            buffer.writeStaticString("Connection: keep-alive\r\n")
        }
        buffer.writeStaticString("\r\n")
        guard withBody else { return }
        buffer.writeBytes(json)
        if let binary { buffer.writeBytes(binary) }
    }
}

extension ModelAnswer {
    /// What `write` writes, but for the `Date` field's value, at most.
    var byteCount: Int { 200 + json.count + (binary?.count ?? 0) }
}
