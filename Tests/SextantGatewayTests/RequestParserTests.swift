import Foundation
import Logging
import NIOCore
import NIOEmbedded
import SextantHTTP
import SextantWire
import Testing
@testable import SextantGateway

/// The byte-level reader of clients' requests: heads of every shape, each malformed input
/// and the status the gateway answers it with, heads split at every byte, pipelined
/// requests, and the head forwarded to a model server.
@Suite struct RequestParserTests {
    /// What the parser delivered, one line per part (`head POST /x 1.1 length=5 keep-alive`,
    /// `body abc`, `end`), or its error last (`error: …`).
    static func transcript(_ text: String, splits: [Int] = []) -> [String] {
        var parser = RequestParser()
        var lines: [String] = []
        let bytes = Array(text.utf8)
        let cuts = [0] + splits + [bytes.count]
        do {
            for (start, end) in zip(cuts, cuts.dropFirst()) {
                try parser.parse(ByteBuffer(bytes: bytes[start..<end])) { part in
                    switch part {
                    case .head(let head): lines.append(describe(head))
                    case .body(let buffer):
                        if case .body(let last)? = lines.last.map({ Line.of($0) }) {
                            lines[lines.count - 1] = "body " + last + String(buffer: buffer)
                        } else {
                            lines.append("body " + String(buffer: buffer))
                        }
                    case .end: lines.append("end")
                    }
                    return true
                }
            }
        } catch {
            lines.append("error: \(error)")
        }
        return lines
    }

    /// Body parts split by the reads are joined, so that transcripts compare across splits.
    private enum Line {
        case body(String), other
        static func of(_ line: String) -> Line { line.hasPrefix("body ") ? .body(String(line.dropFirst(5))) : .other }
    }

    static func describe(_ head: RequestHead) -> String {
        var words = ["head", head.string(head.methodRange), head.uri, "1.\(head.minorVersion)"]
        if let length = head.contentLength { words.append("length=\(length)") }
        if head.chunked { words.append("chunked") }
        words.append(head.keepAlive ? "keep-alive" : "close")
        if head.expectsContinue { words.append("continue") }
        if let id = head.requestIdRange { words.append("id=" + head.string(id)) }
        if let type = head.contentTypeRange { words.append("type=" + head.string(type)) }
        if let length = head.inferenceHeaderLength { words.append("inference-header=\(length)") }
        return words.joined(separator: " ")
    }

    @Test("valid heads of every shape", arguments: [
        ("GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n", ["head GET /v2/health/ready 1.1 keep-alive", "end"]),
        ("POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhello",
         ["head POST /v2/models/m/infer 1.1 length=5 keep-alive type=application/json", "body hello", "end"]),
        ("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n3;ext=1\r\nabc\r\nA \r\n0123456789\r\n0\r\nTrailer: t\r\n\r\n",
         ["head POST /a 1.1 chunked keep-alive", "body abc0123456789", "end"]),
        ("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", ["head POST /a 1.1 chunked keep-alive", "end"]),
        ("GET / HTTP/1.0\r\n\r\n", ["head GET / 1.0 close", "end"]),
        ("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", ["head GET / 1.0 keep-alive", "end"]),
        ("GET / HTTP/1.1\r\nHost: x\r\nConnection: X-Private, close\r\n\r\n", ["head GET / 1.1 close", "end"]),
        ("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", ["head GET / 1.1 keep-alive", "end"]),
        ("GET / HTTP/1.1\nHost: x\n\n", ["head GET / 1.1 keep-alive", "end"]),
        ("PUT /p?q=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 2\r\ncontent-length:2\r\n\r\nok", ["head PUT /p?q=1 1.1 length=2 keep-alive", "body ok", "end"]),
        ("POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nX-Request-Id: 01ARZ3NDEKTSV4RRFFQ69G5FAV\r\n"
            + "Inference-Header-Content-Length: 12\r\nContent-Length: 0\r\n\r\n",
         ["head POST /v2/models/m/infer 1.1 length=0 keep-alive continue id=01ARZ3NDEKTSV4RRFFQ69G5FAV inference-header=12", "end"]),
        ("GET / HTTP/1.1\r\nHost:x\r\nX-Text: caf\u{E9} \t \r\nX-Empty:\r\n\r\n", ["head GET / 1.1 keep-alive", "end"]),
        ("DELETE /x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", ["head DELETE /x 1.1 length=0 keep-alive", "end"]),
    ] as [(String, [String])])
    func validHeads(text: String, expected: [String]) {
        #expect(Self.transcript(text) == expected)
    }

    @Test("malformed requests: each one's error", arguments: [
        ("GET /\r\nHost: x\r\n\r\n", RequestError.requestLine),
        ("GET  / HTTP/1.1\r\nHost: x\r\n\r\n", .requestLine),
        ("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", .requestLine),
        ("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", .requestLine),
        ("GET / HTTP/1.1 \r\nHost: x\r\n\r\n", .requestLine),
        ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", .version),
        ("GET / HTTP/1.2\r\nHost: x\r\n\r\n", .version),
        ("GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n", .fieldName(line: 2)),
        ("GET / HTTP/1.1\r\nHost : x\r\n\r\n", .fieldName(line: 1)),
        ("GET / HTTP/1.1\r\n: x\r\nHost: x\r\n\r\n", .fieldName(line: 1)),
        ("GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", .fieldName(line: 2)),
        ("GET / HTTP/1.1\r\nHost: x\r\nX: a\u{01}b\r\n\r\n", .fieldValue(line: 2)),
        ("GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", .bareCR),
        ("GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", .obsoleteFold(line: 3)),
        ("GET / HTTP/1.1\r\nHost: x\r\nX: a\r\r\n\r\n", .bareCR),
        ("GET / HTTP/1.1\r\n\r\n", .host),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .host),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", .lengthAndTransferEncoding),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", .lengthAndTransferEncoding),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", .contentLength),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\n", .contentLength),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", .contentLength),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\n", .contentLength),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", .contentLength),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", .transferEncoding),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", .transferEncoding),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", .transferEncoding),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", .chunkSize),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", .chunkSize),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3 x\r\n", .chunkSize),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", .chunkEnd),
        ("GET / HTTP/1.1\r\nHost: x\r\nX: " + String(repeating: "a", count: RequestParser.maxHeadBytes) + "\r\n\r\n",
         .headTooLarge(limit: RequestParser.maxHeadBytes)),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: " + String(repeating: "a", count: RequestParser.maxHeadBytes) + "\r\n\r\n",
         .trailers),
    ] as [(String, RequestError)])
    func malformed(text: String, error: RequestError) {
        #expect(Self.transcript(text).last == "error: \(error)")
    }

    @Test("a head still incomplete past the limit is refused before its end arrives")
    func endlessHead() {
        let text = "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: RequestParser.maxHeadBytes)
        #expect(Self.transcript(text, splits: [10, 100]) == ["error: \(RequestError.headTooLarge(limit: RequestParser.maxHeadBytes))"])
    }

    @Test("split at every byte offset, and a byte at a time: the same parts", arguments: [
        "POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"inputs\":[]}",
        "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;e=\"v\"\r\nabc\r\n4\r\ndefg\r\n0\r\nT: 1\r\n\r\n",
        "\r\nGET / HTTP/1.0\nConnection: keep-alive\n\nGET /b HTTP/1.1\r\nHost: y\r\n\r\n",
    ])
    func splits(text: String) {
        let whole = Self.transcript(text)
        #expect(!whole.isEmpty && !whole.contains { $0.hasPrefix("error") }, "\(whole)")
        let count = text.utf8.count
        for cut in 1..<count {
            #expect(Self.transcript(text, splits: [cut]) == whole, "cut at \(cut)")
        }
        #expect(Self.transcript(text, splits: Array(1..<count)) == whole, "a byte at a time")
    }

    @Test("2,000 random mutations of valid requests: never a crash, and the same parts (or error) however the bytes are split")
    func mutations() {
        let seeds = [
            "POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.0\r\n\r\n",
            "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;e=1\r\nabc\r\n0\r\nT: 1\r\n\r\n",
        ].map { Array($0.utf8) }
        let alphabet = Array("\r\n :;,0123456789aAfF\t\u{0}\u{7F}\u{FF}GET/HTTP1.".utf8)
        var random = SplitMix64(seed: 20)
        for round in 0..<2000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let at = Int(random.next() % UInt64(bytes.count))
                let byte = alphabet[Int(random.next() % UInt64(alphabet.count))]
                switch random.next() % 3 {
                case 0: bytes[at] = byte
                case 1: bytes.insert(byte, at: at)
                default: bytes.remove(at: at)
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            guard Array(text.utf8) == bytes else { continue }
            let cut = 1 + Int(random.next() % UInt64(max(bytes.count - 1, 1)))
            #expect(Self.transcript(text, splits: cut < bytes.count ? [cut] : []) == Self.transcript(text), "\(text.debugDescription) cut at \(cut)")
        }
    }

    @Test("pipelined requests in one buffer, in order; a refused one stops the reading")
    func pipelined() {
        let text = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
            + "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\nGET /d HTTP/1.1\r\nHost: x\r\n\r\n"
        #expect(Self.transcript(text) == [
            "head GET /a 1.1 keep-alive", "end", "head POST /b 1.1 length=3 keep-alive", "body abc", "end",
            "head POST /c 1.1 chunked keep-alive", "body de", "end", "head GET /d 1.1 keep-alive", "end",
        ])
        var parser = RequestParser()
        var heads = 0
        try? parser.parse(ByteBuffer(string: text + "BAD\r\n\r\n")) { part in
            if case .head = part { heads += 1 }
            return heads < 2
        }
        #expect(heads == 2, "nothing delivered after the part refused, and the bad bytes after it never read")
    }

    @Test("the head forwarded to a model server: its Host, fields as they came (trailing whitespace trimmed), hop-by-hop ones and those Connection names dropped")
    func forwardedHead() throws {
        var parser = RequestParser()
        var head: RequestHead?
        try parser.parse(ByteBuffer(string: "POST /v2/models/m/infer?x=1 HTTP/1.0\r\nHost: client\r\nContent-Type: application/json\r\n"
                + "Connection: keep-alive, X-Private\r\nX-Private: secret\r\nKeep-Alive: timeout=5\r\nExpect: 100-continue\r\nX-Model:  m \r\n"
                + "Content-Length: 2, 2\r\n\r\n{}")) { part in
            if case .head(let value) = part { head = value }
            return true
        }
        var buffer = ByteBuffer()
        let framing = Wire.writeRequestHead(try #require(head), host: "127.0.0.1:9000", into: &buffer)
        #expect(String(buffer: buffer) == "POST /v2/models/m/infer?x=1 HTTP/1.1\r\nHost: 127.0.0.1:9000\r\nContent-Type: application/json\r\nX-Model:  m\r\n"
            + "Content-Length: 2\r\n\r\n")
        guard case .asIs = framing else {
            Issue.record("a body with a length is written as it is")
            return
        }
        #expect(head?.field("x-model") == "m")
        #expect(head?.field("X-PRIVATE") == "secret")
        #expect(head?.field("x-absent") == nil)
    }

    @Test("a forwarded head of many short field lines ending in a bare LF: each gets CRLF, within the room reserved for it")
    func forwardedHeadOfBareLineFeeds() throws {
        var parser = RequestParser()
        var head: RequestHead?
        let fields = (0..<300).map { "\(Character(UnicodeScalar(UInt8(97 + $0 % 26)))):\n" }.joined()
        try parser.parse(ByteBuffer(string: "POST /v2/models/m/infer HTTP/1.1\nHost: c\n" + fields + "Transfer-Encoding: chunked\n\n")) { part in
            if case .head(let value) = part, head == nil { head = value }
            return true
        }
        var buffer = ByteBuffer()
        let framing = Wire.writeRequestHead(try #require(head), host: "[::1]:9000", into: &buffer)
        let expected = "POST /v2/models/m/infer HTTP/1.1\r\nHost: [::1]:9000\r\n" + fields.replacingOccurrences(of: "\n", with: "\r\n")
            + "Transfer-Encoding: chunked\r\n\r\n"
        #expect(String(buffer: buffer) == expected)
        guard case .chunked = framing else {
            Issue.record("a chunked body is written chunked")
            return
        }
    }

    /// The gateway's answer to `text` on a connection of its own (an `EmbeddedChannel`,
    /// a routing table that routes nowhere).
    static func answer(_ text: String) throws -> String {
        let gateway = Gateway(routes: RoutingTable(generation: 1, models: [:]), token: "t", limits: HTTPLimits(maxRequestBytes: 1024),
                              logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let channel = EmbeddedChannel()
        try gateway.serveInference(on: channel)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        try channel.writeInbound(ByteBuffer(string: text))
        channel.embeddedEventLoop.run()
        var answer = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { answer += String(buffer: buffer) }
        _ = try? channel.finish(acceptAlreadyClosed: true)
        return answer
    }

    @Test("the gateway's answers: 400 naming the fault for each malformed request, 413 for a length over the limit, after the answers before them",
          arguments: [
              ("GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", "400 Bad Request", "field line 3 starts with whitespace (obsolete line folding)"),
              ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", "400 Bad Request", "both Content-Length and Transfer-Encoding"),
              ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "400 Bad Request", "Content-Length is not one decimal number"),
              ("GET / HTTP/1.1\r\nB@d: x\r\n\r\n", "400 Bad Request", "field line 1: the name is not a token followed by a colon"),
              ("GET / HTTP/1.1\r\n\r\n", "400 Bad Request", "an HTTP/1.1 request needs exactly one Host field"),
              ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", "413 Payload Too Large",
               "the request body is 99999999999999999999999 bytes; this server takes at most 1024 (--max-request-bytes)"),
          ] as [(String, String, String)])
    func statuses(text: String, status: String, message: String) throws {
        let answer = try Self.answer("GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n" + text)
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"), "the request before it is answered first: \(answer)")
        let refusal = try #require(answer.range(of: "HTTP/1.1 " + status + "\r\n"), "\(answer)")
        #expect(answer[refusal.lowerBound...].contains("Connection: close\r\n"))
        let expected = status.hasPrefix("413") ? message : "the request is not valid HTTP/1.1 (\(message)) and its connection closes"
        #expect(answer.hasSuffix(#"{"error":""# + expected + #""}"#), "\(answer)")
    }
}
