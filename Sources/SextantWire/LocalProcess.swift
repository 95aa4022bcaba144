/// A detached local process as the embedded runtime records it in a runtime handle: what
/// adopting, probing and stopping it take. Stores written before runtime handles kept these
/// fields in the replica and gateway records themselves; those records decode through this
/// type, so a daemon upgraded in place adopts the servers that run.
public struct LocalProcess: Sendable, Hashable, Codable {
    public var pid: Int32
    /// The process's start time (clock ticks since boot): a reused pid is never signalled.
    public var startTime: UInt64
    /// Where it answers on loopback (a replica: inference; the gateway: its admin endpoint).
    public var port: Int
    public var command: [String]

    public init(pid: Int32, startTime: UInt64, port: Int, command: [String]) {
        self.pid = pid
        self.startTime = startTime
        self.port = port
        self.command = command
    }

    /// Unique among the processes of a machine, over time.
    public var id: String { "\(pid)@\(startTime)" }

    /// `http://127.0.0.1:PORT`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// What status shows of it beside the replica's own fields.
    public var summary: Summary { Summary(pid: pid, port: port) }

    public struct Summary: Sendable, Hashable, Codable {
        public var pid: Int32
        public var port: Int
    }
}

extension LocalProcess {
    /// The gateway's process as stores before runtime handles recorded it, beside its
    /// address: `port` there is where it serves, `adminPort` its admin endpoint's.
    public struct LegacyGateway: Sendable, Decodable {
        public var pid: Int32
        public var startTime: UInt64
        public var adminPort: Int
        public var command: [String]

        /// The process, answering on its admin port.
        public var process: LocalProcess { LocalProcess(pid: pid, startTime: startTime, port: adminPort, command: command) }
    }
}
