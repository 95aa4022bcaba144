/// A model server the gateway connects to: the host and port of a backend's endpoint URL
/// (`Endpoint`). Connections are pooled per upstream, so revisions behind one proxy (Ray
/// Serve's, under different path prefixes) share them.
struct Upstream: Sendable, Hashable, CustomStringConvertible {
    var host: String
    var port: Int

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `HOST:PORT` as a `Host` header names it.
    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
