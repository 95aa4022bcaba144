import Testing
@testable import SextantGateway

/// Endpoint URLs as the gateway reads them: `http://HOST:PORT`, optionally with the path
/// prefix of an application behind a proxy (Ray Serve's), and what it cannot use.
@Suite struct EndpointTests {
    @Test("usable endpoints: the server, and the path prefix as the URL spells it without a trailing /", arguments: [
        ("http://127.0.0.1:8000", "127.0.0.1", 8000, ""),
        ("http://127.0.0.1:8000/", "127.0.0.1", 8000, ""),
        ("http://127.0.0.1:8000/fraud-detector/r3", "127.0.0.1", 8000, "/fraud-detector/r3"),
        ("http://127.0.0.1:8000/fraud-detector/r3/", "127.0.0.1", 8000, "/fraud-detector/r3"),
        ("HTTP://serve.local:80/m%20x/r1", "serve.local", 80, "/m%20x/r1"),
        ("http://[::1]:9000/echo/r1", "::1", 9000, "/echo/r1"),
    ] as [(String, String, Int, String)])
    func usable(url: String, host: String, port: Int, prefix: String) throws {
        let endpoint = try Endpoint(url: url)
        #expect(endpoint.upstream == Upstream(host: host, port: port))
        #expect(endpoint.pathPrefix == prefix)
    }

    @Test("unusable endpoints say why", arguments: [
        ("https://127.0.0.1:8443/m/r1", EndpointError.scheme("https")),
        ("http://127.0.0.1/m/r1", .noPort),
        ("http://:8000", .noHost),
        ("http://127.0.0.1:8000/m/r1?x=1", .query),
        ("http://127.0.0.1:8000/m/r1?", .query),
        ("http://127.0.0.1:8000/m/r1#top", .fragment),
        ("http://user:secret@127.0.0.1:8000", .userInfo),
        ("127.0.0.1:8000", .notAURL),
        ("http://[::1:8000/m/r1", .notAURL),
    ] as [(String, EndpointError)])
    func unusable(url: String, reason: EndpointError) {
        #expect(throws: reason) { try Endpoint(url: url) }
    }
}
