import Foundation

/// A backend's endpoint URL as the gateway uses it: the server it connects to (`upstream`,
/// which is also what connections are pooled by) and the path every request's target is
/// sent under. `http://HOST:PORT` has no path prefix; `http://HOST:PORT/PATH` is an
/// application behind a proxy that keeps its route prefix in the request path, as Ray
/// Serve's does (DESIGN §12): `POST /v2/models/m/infer` goes to it as
/// `POST /PATH/v2/models/m/infer`.
struct Endpoint: Sendable, Hashable {
    var upstream: Upstream
    /// `/PATH` as the URL spells it (percent-encoding kept, no trailing `/`), or empty.
    /// Parsed once per routing table; a request's head gets it with one copy of its bytes.
    var pathPrefix: String

    init(upstream: Upstream, pathPrefix: String = "") {
        self.upstream = upstream
        self.pathPrefix = pathPrefix
    }

    /// From `http://HOST:PORT` or `http://HOST:PORT/PATH` (an IPv6 host in brackets; a
    /// trailing `/` ignored).
    init(url: String) throws(EndpointError) {
        guard let components = URLComponents(string: url) else { throw .notAURL }
        guard let scheme = components.scheme?.lowercased() else { throw .notAURL }
        guard scheme == "http" else { throw .scheme(scheme) }
        guard var host = components.host, !host.isEmpty else { throw .noHost }
        guard let port = components.port else { throw .noPort }
        guard (1...65535).contains(port) else { throw .port(port) }
        guard components.user == nil, components.password == nil else { throw .userInfo }
        guard components.percentEncodedQuery == nil else { throw .query }
        guard components.percentEncodedFragment == nil else { throw .fragment }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var path = Substring(components.percentEncodedPath)
        while path.hasSuffix("/") { path = path.dropLast() }
        var prefix = String(path)
        prefix.makeContiguousUTF8()
        self.init(upstream: Upstream(host: host, port: port), pathPrefix: prefix)
    }
}

/// Why the gateway cannot route to an endpoint URL: the backend is routed without it
/// (the gateway logs which and why when it loads a table: `UnusableEndpoint`).
enum EndpointError: Error, Equatable, CustomStringConvertible {
    case notAURL
    /// A scheme other than `http` (lowercased).
    case scheme(String)
    case noHost
    case noPort
    /// A port outside 1…65535.
    case port(Int)
    /// `user:password@`: the gateway sends no credentials.
    case userInfo
    case query
    case fragment

    var description: String {
        switch self {
        case .notAURL: "it is not a URL; give http://HOST:PORT or http://HOST:PORT/PATH"
        case .scheme(let scheme): "the gateway speaks plain HTTP to model servers, not \(scheme); give an http:// URL"
        case .noHost: "it names no host; give http://HOST:PORT"
        case .noPort: "it names no port; give http://HOST:PORT"
        case .port(let port): "port \(port) is outside 1…65535"
        case .userInfo: "it carries a user or password, which the gateway would not send; give http://HOST:PORT"
        case .query: "it has a query (?…); the gateway prefixes only a path to requests"
        case .fragment: "it has a fragment (#…); the gateway prefixes only a path to requests"
        }
    }
}

/// A backend's endpoint URL that the gateway cannot use, and why.
struct UnusableEndpoint: Sendable, Equatable {
    var revision: Int
    var url: String
    var reason: EndpointError
}
