/// What a client of one of the data plane's HTTP/1.1 servers (the gateway, `serve-model`)
/// may send, and how slowly (DESIGN §6 "No request can crash a server"). The semantics
/// follow nginx's `client_max_body_size`, `client_header_timeout`, `client_body_timeout`,
/// `keepalive_timeout` and lingering close:
///
/// * a body over `maxRequestBytes` gets **413** — at once, by its `Content-Length`, before
///   any of it is read; a chunked one as soon as it grows past the limit;
/// * a request head that is not complete `headerTimeout` after its first byte gets **408**;
/// * a body that stops arriving (nothing for `bodyTimeout` while the server waits for it:
///   a stalled upload, or a body shorter than its `Content-Length`) gets **408**;
/// * a request the parser refuses (a malformed chunk, a bad head) gets **400**;
/// * a connection with no request in progress and no answer under way is closed, without a
///   word, after `idleTimeout`.
///
/// Each refusal is answered only when no byte of an answer to that request was sent (else
/// the connection just closes), always with `Connection: close`. After it the server stops
/// writing and reads and drops what the client still sends, for up to `lingerTime`, so
/// that the client reads the refusal rather than a reset.
public struct HTTPLimits: Sendable, Equatable {
    /// 64 MiB: far above any tabular batch (a 10,000-row request of 50 features is a few
    /// MB of JSON), far below what a server can hold while decoding it.
    public static let defaultMaxRequestBytes = 64 << 20

    /// The largest request body taken, in bytes.
    package var maxRequestBytes: Int
    /// From the first byte of a request until its head is complete.
    package var headerTimeout: Duration
    /// Between two reads of a request body while the server waits for it.
    package var bodyTimeout: Duration
    /// How long a connection may wait for its next request.
    package var idleTimeout: Duration
    /// How long, after a refusal, the rest of the request is read and dropped.
    package var lingerTime: Duration

    /// - Parameters:
    ///   - headerTimeout: 10 s: a head is a few hundred bytes; nginx's 60 s is for dial-up.
    ///   - bodyTimeout: 30 s between reads (not for the whole body).
    ///   - idleTimeout: 75 s, nginx's `keepalive_timeout`: above the idle timeouts of the
    ///     usual client pools (AsyncHTTPClient's and load balancers' 60 s), so that a client
    ///     never sends a request on a connection the server is closing.
    ///   - lingerTime: 5 s, nginx's `lingering_timeout`.
    public init(maxRequestBytes: Int = Self.defaultMaxRequestBytes, headerTimeout: Duration = .seconds(10), bodyTimeout: Duration = .seconds(30),
                idleTimeout: Duration = .seconds(75), lingerTime: Duration = .seconds(5)) {
        self.maxRequestBytes = maxRequestBytes
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.lingerTime = lingerTime
    }

    /// A duration as messages show it: `10 s`, `0.25 s`.
    package static func describe(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return "\(seconds) s" }
        return "\(Double(seconds) + Double(attoseconds) / 1e18) s"
    }
}
