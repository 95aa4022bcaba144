#if canImport(Glibc)
import Glibc
#endif

/// Why a listener cannot be opened on an address, found by binding a socket there the way
/// the servers do (SO_REUSEADDR) and closing it at once: checked before anything starts,
/// so a taken port is one clear line rather than a bind error after work began.
package enum PortProblem: Sendable, Hashable {
    /// Another process listens there.
    case taken
    /// Not an address of this machine (or the host does not resolve).
    case notLocal(String)
    /// A privileged port (below 1024) for an unprivileged user.
    case permissionDenied
    case other(String)

    /// What is wrong with `flag address`, and what to do: one line.
    package func message(flag: String, address: String) -> String {
        switch self {
        case .taken:
            "\(flag) \(address) is taken by another process; stop it or pass \(flag) with a free port"
        case .notLocal(let reason):
            "\(flag) \(address): cannot listen there (\(reason)); pass \(flag) with an address of this machine, e.g. 127.0.0.1:PORT"
        case .permissionDenied:
            "\(flag) \(address): a port below 1024 needs root; pass \(flag) with a port above 1023"
        case .other(let reason):
            "\(flag) \(address): cannot listen there (\(reason))"
        }
    }
}

package enum PortAvailability {
    /// Nil when a server could listen on `host:port` now (port 0 always can).
    package static func problem(host: String, port: Int) -> PortProblem? {
        guard port != 0 else { return nil }
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &found)
        guard resolved == 0, let first = found else {
            return .notLocal("\(host) does not resolve: \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(first) }
        let descriptor = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return .other(String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var on: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        guard bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            switch errno {
            case EADDRINUSE: return .taken
            case EADDRNOTAVAIL: return .notLocal("not an address of this machine")
            case EACCES: return .permissionDenied
            default: return .other(String(cString: strerror(errno)))
            }
        }
        return nil
    }
}
