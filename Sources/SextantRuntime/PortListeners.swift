#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Whether a process group listens on a TCP port of this machine, read from /proc (Linux):
/// the listening sockets of `/proc/net/tcp` and `/proc/net/tcp6` on that port, matched by
/// inode against the `socket:[INODE]` links under `/proc/PID/fd` of the group's processes.
/// It keeps the runtime from taking a program that took the port it chose first (between
/// `freeLoopbackPort` and the server's bind) for the server it started: that program may
/// answer readiness too.
enum PortListeners {
    /// Nil when /proc cannot tell (no such tables, or a process's descriptors unreadable).
    static func group(_ leader: Int32, listensOn port: Int) -> Bool? {
        guard let inodes = listeningInodes(port: port) else { return nil }
        guard !inodes.isEmpty else { return false }
        for member in ProcessStat.all() where member.processGroup == leader {
            guard let sockets = socketInodes(of: member.pid) else { return nil }
            if sockets.contains(where: inodes.contains) { return true }
        }
        return false
    }

    static func listeningInodes(port: Int) -> Set<UInt64>? {
        var inodes: Set<UInt64> = []
        var read = false
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = wholeFile(table) else { continue }
            read = true
            inodes.formUnion(listeningInodes(inTable: text, port: port))
        }
        return read ? inodes : nil
    }

    /// A table's lines after its header: `sl local_address rem_address st tx_queue:rx_queue
    /// tr:tm->when retrnsmt uid timeout inode …`, addresses as `HEXADDRESS:HEXPORT`, state
    /// `0A` for LISTEN.
    static func listeningInodes(inTable text: String, port: Int) -> Set<UInt64> {
        var inodes: Set<UInt64> = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 9, fields[3] == "0A", let colon = fields[1].lastIndex(of: ":"),
                  Int(fields[1][fields[1].index(after: colon)...], radix: 16) == port,
                  let inode = UInt64(fields[9]) else { continue }
            inodes.insert(inode)
        }
        return inodes
    }

    /// A /proc file read to its end: such files say they are empty, and the kernel makes
    /// them a page per read (Foundation's readers stop early on a long `/proc/net/tcp`).
    static func wholeFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 { if errno == EINTR { continue }; return nil }
            if count == 0 { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The inodes of a process's sockets; nil when its descriptors cannot be read (another
    /// user's process). A process that has just exited has none.
    static func socketInodes(of pid: Int32) -> [UInt64]? {
        let directory = "/proc/\(pid)/fd"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            return FileManager.default.fileExists(atPath: "/proc/\(pid)") ? nil : []
        }
        return names.compactMap { name in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\(name)"),
                  target.hasPrefix("socket:["), target.hasSuffix("]") else { return nil }
            return UInt64(target.dropFirst(8).dropLast())
        }
    }
}
