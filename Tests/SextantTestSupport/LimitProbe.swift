import Foundation
import NIOCore

/// The requests a server's HTTP limits refuse (413, 408, 400, idle close), each sent on a
/// raw connection of its own to 127.0.0.1:`port`: what came back, and whether the server
/// then closed the connection. The same probes run against the gateway and `serve-model`,
/// in-process and as processes.
public struct LimitProbe: Sendable {
    public let port: Int
    /// The request path, e.g. `/v2/models/fraud/infer`.
    public let path: String

    public init(port: Int, path: String) {
        self.port = port
        self.path = path
    }

    /// What the server answered to one probe.
    public struct Outcome: Sendable, CustomStringConvertible {
        /// Everything the server sent.
        public var raw: String
        /// Whether it closed the connection afterwards.
        public var closed: Bool
        /// The status of the first answer, if one came.
        public var status: Int? {
            guard raw.hasPrefix("HTTP/1."), raw.count >= 12 else { return nil }
            return Int(raw.dropFirst(9).prefix(3))
        }
        /// The body of the first answer.
        public var body: String {
            guard let end = raw.range(of: "\r\n\r\n") else { return "" }
            return String(raw[end.upperBound...])
        }
        /// Its `{"error": …}` message.
        public var error: String? {
            guard let data = body.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
            return object["error"] as? String
        }
        /// How many answers came (status lines: `HTTP/1.1 NNN `).
        public var answers: Int {
            raw.components(separatedBy: "HTTP/1.1 ").dropFirst().filter { piece in
                let code = piece.prefix(4)
                return code.count == 4 && code.prefix(3).allSatisfy(\.isNumber) && code.last == " "
            }.count
        }
        /// Whether the answer says the connection closes.
        public var saysClose: Bool { raw.lowercased().contains("\r\nconnection: close\r\n") }

        public var description: String { "closed: \(closed), received: \(raw.prefix(600))" }
    }

    private func head(_ fields: String) -> String {
        "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\(fields)\r\n"
    }

    /// A head whose `Content-Length` is over the limit, and not a byte of its body.
    public func tooLargeByLength(_ length: Int) async throws -> Outcome {
        await outcome(try await RawHTTPConnection.open(port: port, sending: head("Content-Length: \(length)\r\n")))
    }

    /// A chunked body of 64 KiB chunks, `size` bytes in all, written in one go (the
    /// server's answer is read meanwhile).
    public func tooLargeChunked(size: Int) async throws -> Outcome {
        var bytes = ByteBuffer(string: head("Transfer-Encoding: chunked\r\n"))
        let chunk = String(65536, radix: 16) + "\r\n" + String(repeating: " ", count: 65536) + "\r\n"
        for _ in 0..<(size / 65536) { bytes.writeString(chunk) }
        bytes.writeString("0\r\n\r\n")
        return await outcome(try await RawHTTPConnection.open(port: port, sending: bytes))
    }

    /// A head sent one byte at a time, every 50 ms, until the server closes (at most 20 s).
    public func slowHead() async throws -> Outcome {
        let bytes = Array(head("Content-Length: 2\r\nX-Slow: " + String(repeating: "s", count: 400) + "\r\n").utf8)
        let connection = try await RawHTTPConnection.open(port: port, sending: ByteBuffer(bytes: bytes.prefix(1)))
        let deadline = ContinuousClock.now + .seconds(20)
        var index = 1
        while !connection.isClosed, connection.received.isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            if index < bytes.count - 2 {
                // Never the final CRLF: the head is never complete.
                try? await connection.send(ByteBuffer(bytes: [bytes[index]]))
                index += 1
            }
        }
        return await outcome(connection)
    }

    /// `Content-Length: 100` and 10 bytes of body, then silence.
    public func shortBody() async throws -> Outcome {
        await outcome(try await RawHTTPConnection.open(port: port, sending: head("Content-Length: 100\r\n") + #"{"inputs":"#))
    }

    /// A chunked body whose second chunk-size line is not hexadecimal; `between` runs
    /// after the head and first chunk were sent, before the bad line.
    public func malformedChunk(between: (() async throws -> Void)? = nil) async throws -> Outcome {
        let start = head("Transfer-Encoding: chunked\r\n") + "5\r\n{\"in\"\r\n", bad = "zz\r\nputs\r\n"
        guard let between else { return await outcome(try await RawHTTPConnection.open(port: port, sending: start + bad)) }
        let connection = try await RawHTTPConnection.open(port: port, sending: start)
        try await between()
        try await connection.send(bad)
        return await outcome(connection)
    }

    /// An ordinary request with this body, on a connection of its own (`Connection: close`).
    public func ordinary(_ body: String) async throws -> Outcome {
        await outcome(try await RawHTTPConnection.open(port: port, sending: head("Content-Length: \(body.utf8.count)\r\nConnection: close\r\n") + body))
    }

    /// A connection that sends nothing.
    public func idle() async throws -> Outcome {
        await outcome(try await RawHTTPConnection.open(port: port))
    }

    private func outcome(_ connection: RawHTTPConnection) async -> Outcome {
        let closed = await connection.waitUntilClosed(timeout: .seconds(30))
        let raw = connection.received
        await connection.close()
        return Outcome(raw: raw, closed: closed)
    }
}
