#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import SextantRuntime
import Testing

/// The check that keeps the runtime from taking a program that won a port race for the
/// built-in server it started.
struct PortListenersTests {
    /// Two lines of a `/proc/net/tcp` table: a listener on 127.0.0.1:8080 (0x1F90) and an
    /// established connection from that port.
    static let table = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41873 1 0000000000000000 100 0 0 10 0
           1: 0100007F:1F90 0100007F:D4C2 01 00000000:00000000 00:00000000 00000000     0        0 52210 1 0000000000000000 20 4 30 10 -1
        """

    @Test("the table's listening sockets on a port, by inode; connections and other ports are not listeners")
    func table() {
        #expect(PortListeners.listeningInodes(inTable: Self.table, port: 8080) == [41873])
        #expect(PortListeners.listeningInodes(inTable: Self.table, port: 8081).isEmpty)
    }

    @Test("a socket this process listens on belongs to its group, also past the table's first page; a port nobody listens on to none")
    func thisProcess() throws {
        // 200 listeners first: /proc/net/tcp then spans several pages, which the kernel
        // hands out one per read.
        let others = (0..<200).map { _ in Self.listener() }
        defer { for (descriptor, _) in others where descriptor >= 0 { close(descriptor) } }
        let (descriptor, port) = Self.listener()
        try #require(descriptor >= 0)
        var open = true
        defer { if open { close(descriptor) } }  // closed once: a second close could close another thread's descriptor
        #expect(PortListeners.group(getpgrp(), listensOn: port) == true)
        // A process group with no member (pid 1's group is not ours) holds nothing here.
        #expect(PortListeners.group(getpgrp() == 1 ? 2 : 1, listensOn: port) == false)
        close(descriptor)
        open = false
        #expect(PortListeners.group(getpgrp(), listensOn: port) == false, "closed: nobody listens")
    }

    /// A socket listening on a free loopback port, and the port; (-1, 0) when it cannot be had.
    static func listener() -> (descriptor: Int32, port: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return (-1, 0) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        guard bound == 0, listen(descriptor, 1) == 0, withUnsafeMutablePointer(to: &address, {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }) == 0 else {
            close(descriptor)
            return (-1, 0)
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }
}
