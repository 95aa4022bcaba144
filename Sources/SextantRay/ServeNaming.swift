import Foundation
import SextantAPI

/// How Sextant names what it declares to Ray Serve (DESIGN §12).
enum ServeNaming {
    /// `sextant-MODEL-rN` for a revision's replicas, `sextant-MODEL-rN-ROLE` for a private server.
    static func application(model: String, revision: Int, role: String) -> String {
        "sextant-\(model)-r\(revision)" + (role == replicaRole ? "" : "-\(role)")
    }

    /// `/MODEL/rN` for a revision's replicas, `/MODEL/rN-ROLE` for a private server.
    static func routePrefix(model: String, revision: Int, role: String) -> String {
        "/\(model)/r\(revision)" + (role == replicaRole ? "" : "-\(role)")
    }

    /// How every application Sextant declares is named first.
    static let prefix = "sextant-"

    /// The role of the replicas that serve traffic (the others are evaluation's private servers).
    static let replicaRole = "replica"

    /// The URL of an application behind Serve's proxy: what the gateway and evaluation call.
    static func endpoint(_ proxy: ServeHTTPOptions, routePrefix: String) -> String {
        let host = proxy.host == "0.0.0.0" ? "127.0.0.1" : proxy.host.contains(":") ? "[\(proxy.host)]" : proxy.host
        return "http://\(host):\(proxy.port)\(routePrefix)"
    }
}
