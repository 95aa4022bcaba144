import Foundation

/// A model server the gateway forwards to: the host and port of a backend's endpoint URL.
struct Upstream: Sendable, Hashable, CustomStringConvertible {
    var host: String
    var port: Int

    /// From an `http://HOST:PORT` URL (an IPv6 host in brackets); nil for anything else.
    init?(endpoint: String) {
        guard let components = URLComponents(string: endpoint), components.scheme?.lowercased() == "http",
              var host = components.host, !host.isEmpty, let port = components.port, (1...65535).contains(port) else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host
        self.port = port
    }

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `HOST:PORT` as a `Host` header names it.
    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
