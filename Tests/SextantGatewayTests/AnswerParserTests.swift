import NIOCore
import Testing
@testable import SextantGateway

/// The byte-level reader of model servers' answers: framing, keep-alive, fields passed on.
@Suite struct AnswerParserTests {
    /// Feeds `text` in pieces of `step` bytes; returns the head, the body and whether it ended.
    static func parse(_ text: String, step: Int = 1, head: Bool = false) throws -> (AnswerHead?, String, Bool, AnswerParser) {
        let parser = AnswerParser()
        parser.expectAnswer(toHead: head)
        var answerHead: AnswerHead?
        var body = "", ended = false
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let piece = ByteBuffer(bytes: bytes[offset..<min(offset + step, bytes.count)])
            try parser.feed(piece) { part in
                switch part {
                case .head(let value): answerHead = value
                case .body(let buffer): body += String(buffer: buffer)
                case .end: ended = true
                }
            }
            offset += step
        }
        return (answerHead, body, ended, parser)
    }

    @Test("Content-Length, byte by byte or at once; the fields kept, hop-by-hop ones dropped", arguments: [1, 7, 1000])
    func lengthFramed(step: Int) throws {
        let (head, body, ended, parser) = try Self.parse(
            "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nKeep-Alive: timeout=5\r\nContent-Length: 4\r\nConnection: keep-alive\r\n\r\n{\"a\"", step: step)
        #expect(head?.status == 201 && String(buffer: head!.reason) == "Created")
        #expect(String(buffer: head!.fields) == "Content-Type: application/json\r\nContent-Length: 4\r\n")
        #expect(head?.contentLength == 4 && head?.keepAlive == true)
        #expect(body == "{\"a\"" && ended && parser.isIdle)
    }

    @Test("chunks with extensions and trailers, and an interim 100 Continue skipped", arguments: [1, 5, 1000])
    func chunked(step: Int) throws {
        let (head, body, ended, _) = try Self.parse(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3;x=y\r\nabc\r\nA\r\n0123456789\r\n0\r\nT: v\r\n\r\n", step: step)
        #expect(head?.status == 200 && head?.contentLength == nil)
        #expect(String(buffer: head!.fields) == "")
        #expect(body == "abc0123456789" && ended)
    }

    @Test("HTTP/1.0 closes unless kept alive; no length and no chunks ends with the connection")
    func closeDelimited() throws {
        let (head, body, ended, parser) = try Self.parse("HTTP/1.0 200 OK\r\n\r\nhello", step: 3)
        #expect(head?.keepAlive == false && body == "hello" && !ended && parser.endsWithClose)
        var closedEnd = false
        parser.closed { if case .end = $0 { closedEnd = true } }
        #expect(closedEnd)
        let (kept, _, _, _) = try Self.parse("HTTP/1.0 204 No Content\r\nConnection: Keep-Alive\r\n\r\n")
        #expect(kept?.keepAlive == true)
    }

    @Test("a HEAD's answer, 204 and 304 have no body whatever their length says")
    func noBody() throws {
        let (_, body, ended, parser) = try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", head: true)
        #expect(body.isEmpty && ended && parser.isIdle)
        let (_, _, ended304, _) = try Self.parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n")
        #expect(ended304)
    }

    @Test("fields the Connection header names are dropped; the binary extension is noticed")
    func connectionNamesAndBinary() throws {
        let (head, _, _, _) = try Self.parse(
            "HTTP/1.1 200 OK\r\nConnection: X-Hop, close\r\nX-Hop: 1\r\nInference-Header-Content-Length: 12\r\nContent-Length: 0\r\n\r\n", step: 1000)
        #expect(String(buffer: head!.fields) == "Inference-Header-Content-Length: 12\r\nContent-Length: 0\r\n")
        #expect(head?.keepAlive == false && head?.binary == true)
    }

    @Test("malformed answers are errors", arguments: [
        "HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", "HTTP/1.1 200 OK\r\nBad Name: v\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ])
    func malformed(_ text: String) {
        #expect(throws: AnswerParseError.self) { _ = try Self.parse(text, step: 1000) }
    }

    @Test("bytes nobody asked for are an error")
    func unsolicited() {
        let parser = AnswerParser()
        #expect(throws: AnswerParseError.self) { try parser.feed(ByteBuffer(string: "HTTP/1.1 200 OK\r\n\r\n")) { _ in } }
    }
}
