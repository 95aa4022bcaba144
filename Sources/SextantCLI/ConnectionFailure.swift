import AsyncHTTPClient
import Foundation
import NIOCore

/// One line for an HTTP call that reached nobody: which URL, why in plain words, and what
/// to check — for every command that talks to the daemon's API or the gateway.
enum ConnectionFailure {
    enum Peer {
        /// The daemon's API (`--server`), served by `sextant run --listen`.
        case daemon
        /// The gateway (`--gateway`), started by `run` and `reconcile --once`.
        case gateway
    }

    /// `cannot reach the daemon at http://127.0.0.1:7070 (connection refused): is "sextant run" running with --listen 127.0.0.1:7070?`
    static func message(_ error: any Error, url: String, peer: Peer) -> String {
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        switch peer {
        case .daemon:
            let listen = URL(string: base).flatMap { url in url.host.map { "\($0):\(url.port ?? (url.scheme == "https" ? 443 : 80))" } }
            return "cannot reach the daemon at \(base) (\(reason(error))): is \"sextant run\" running"
                + (listen.map { " with --listen \($0)?" } ?? "?")
        case .gateway:
            return "cannot reach the gateway at \(base) (\(reason(error))): is the data plane up (sextant run / reconcile --once)? "
                + "`sextant status` shows the gateway's address and state"
        }
    }

    /// Why, in a few words: `connection refused`, `timed out`, `the host name does not resolve`.
    static func reason(_ error: any Error) -> String {
        if let error = error as? IOError { return reason(errno: error.errnoCode) }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "timed out connecting"
            case .deadlineExceeded, .readTimeout: return "no answer in time"
            case .remoteConnectionClosed: return "the connection closed before an answer"
            case .invalidURL, .emptyHost, .emptyScheme: return "not a valid http:// URL"
            default: break
            }
        }
        let text = String(describing: error)
        // NIO's connection errors carry the errno in their text (several attempts, one cause).
        if let range = text.range(of: #"errno: \d+"#, options: .regularExpression), let code = Int32(text[range].dropFirst(7)) {
            return reason(errno: code)
        }
        if text.localizedCaseInsensitiveContains("dns") || text.contains("Name or service not known") { return "the host name does not resolve" }
        let line = text.split(separator: "\n").first.map(String.init) ?? text
        return line.count > 120 ? String(line.prefix(117)) + "…" : line
    }

    private static func reason(errno code: Int32) -> String {
        switch code {
        case ECONNREFUSED: "connection refused"
        case ETIMEDOUT: "timed out"
        case EHOSTUNREACH, ENETUNREACH: "no route to the host"
        case ECONNRESET: "connection reset"
        default: String(cString: strerror(code)).lowercased()
        }
    }
}
