/// A detached local process as the embedded runtime records it in a runtime handle: what
/// adopting, probing and stopping it take. Stores written before runtime handles kept these
/// fields in the replica and gateway records themselves; those records decode through this
/// type, so a daemon upgraded in place adopts the servers that run.
package struct LocalProcess: Sendable, Hashable, Codable {
    package var pid: Int32
    /// The process's start time (clock ticks since boot): a reused pid is never signalled.
    package var startTime: UInt64
    /// Where it answers on loopback (a replica: inference; the gateway: its admin endpoint).
    package var port: Int
    package var command: [String]

    package init(pid: Int32, startTime: UInt64, port: Int, command: [String]) {
        self.pid = pid
        self.startTime = startTime
        self.port = port
        self.command = command
    }

    /// Unique among the processes of a machine, over time.
    package var id: String { "\(pid)@\(startTime)" }

    /// `http://127.0.0.1:PORT`.
    package var endpoint: String { "http://127.0.0.1:\(port)" }

    /// What status shows of it beside the replica's own fields.
    package var summary: Summary { Summary(pid: pid, port: port) }

    package struct Summary: Sendable, Hashable, Codable {
        package var pid: Int32
        package var port: Int
    }
}

extension LocalProcess {
    /// The gateway's process as stores before runtime handles recorded it, beside its
    /// address: `port` there is where it serves, `adminPort` its admin endpoint's.
    package struct LegacyGateway: Sendable, Decodable {
        package var pid: Int32
        package var startTime: UInt64
        package var adminPort: Int
        package var command: [String]

        /// The process, answering on its admin port.
        package var process: LocalProcess { LocalProcess(pid: pid, startTime: startTime, port: adminPort, command: command) }
    }
}
