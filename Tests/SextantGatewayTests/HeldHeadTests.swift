import NIOCore
import NIOEmbedded
import Testing
@testable import SextantGateway

/// A request to a model server goes out as one buffer when its body is small: the head is
/// held until the body is in (`HeldHead`), framed the same way it would have been.
@Suite struct HeldHeadTests {
    /// What an upstream connection writes for `request` split into `parts` (head, then body
    /// parts, end, flush): each outbound buffer's text, in order.
    static func writes(_ head: String, body parts: [String], pathPrefix: String = "") throws -> [String] {
        let channel = EmbeddedChannel()
        let connection = UpstreamConnection(Upstream(host: "127.0.0.1", port: 9000))
        try channel.pipeline.syncOperations.addHandler(connection)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9000)).wait()
        connection.writeHead(try RequestHead.parse(ByteBuffer(string: head)), pathPrefix: pathPrefix)
        for part in parts { connection.writeBody(ByteBuffer(string: part)) }
        connection.writeEnd()
        connection.flush()
        var written: [String] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { written.append(String(buffer: buffer)) }
        _ = try? channel.finish(acceptAlreadyClosed: true)
        return written
    }

    @Test("a small body goes out with its head as one buffer")
    func smallBodyCoalesced() throws {
        let written = try Self.writes("POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n", body: [#"{"inp"#, #"uts":1}"#])
        #expect(written == ["POST /v2/models/m/infer HTTP/1.1\r\nHost: 127.0.0.1:9000\r\nContent-Length: 12\r\n\r\n" + #"{"inputs":1}"#])
    }

    @Test("a chunked body's chunks and last chunk go out with the head, framed")
    func chunkedCoalesced() throws {
        let written = try Self.writes("POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", body: ["{}", "0123456789abcdef"])
        #expect(written == ["POST /v2/models/m/infer HTTP/1.1\r\nHost: 127.0.0.1:9000\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\n{}\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n"])
    }

    @Test("an endpoint's path prefix goes before the request target, query and all; the head is otherwise the same", arguments: [
        ("/v2/models/m/infer", "/fraud-detector/r3", "/fraud-detector/r3/v2/models/m/infer"),
        ("/v2/models/m/infer?x=1", "/p%20q/r3", "/p%20q/r3/v2/models/m/infer?x=1"),
        ("/v2/models/m", "", "/v2/models/m"),
    ])
    func pathPrefixed(target: String, prefix: String, sent: String) throws {
        let written = try Self.writes("POST \(target) HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n", body: ["{}"], pathPrefix: prefix)
        #expect(written == ["POST \(sent) HTTP/1.1\r\nHost: 127.0.0.1:9000\r\nContent-Length: 2\r\n\r\n{}"])
    }

    @Test("a body part over the limit follows the head as a write of its own, in order")
    func largeBodyAfterHead() throws {
        let large = String(repeating: "x", count: HeldHead.limit)
        let written = try Self.writes("POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Length: \(large.utf8.count + 2)\r\n\r\n", body: ["{}", large])
        #expect(written.count == 2)
        #expect(written.first?.hasSuffix("\r\n\r\n{}") == true)
        #expect(written.last == large)
    }
}
