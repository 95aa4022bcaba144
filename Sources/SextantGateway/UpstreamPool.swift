import NIOCore
import NIOPosix
import SextantHTTP

/// One event loop's idle upstream connections, per server, used only on that loop: a
/// request's connection to its model server lives on the loop of the client's connection,
/// with no lock and no thread hop.
final class UpstreamPool {
    let eventLoop: any EventLoop
    /// The loop's shard of the gateway's counters.
    let counters: Shard
    /// The loop's requests waiting for answers.
    let timeouts: DeadlineList<ProxyExchange>
    /// Idle connections per server, and where each server's are in `idle`.
    private var idle: [[UpstreamConnection]] = []
    private var slots: [Upstream: Int] = [:]
    /// The server asked for last and its slot: most requests go to the server of the one
    /// before, and then no `String` is hashed.
    private var last: (upstream: Upstream, slot: Int)?
    /// Idle connections kept per server; more are closed.
    private let limit: Int

    init(eventLoop: any EventLoop, counters: Shard, timeout: TimeAmount, limit: Int = 256) {
        self.eventLoop = eventLoop
        self.counters = counters
        self.timeouts = DeadlineList(eventLoop: eventLoop, timeout: timeout)
        self.limit = limit
    }

    /// Where the server's idle connections are (an empty list the first time).
    private func slot(_ upstream: Upstream) -> Int {
        if let last, last.upstream == upstream { return last.slot }
        let slot: Int
        if let known = slots[upstream] {
            slot = known
        } else {
            slot = idle.count
            idle.append([])
            slots[upstream] = slot
        }
        last = (upstream, slot)
        return slot
    }

    /// An idle connection to the server if one is open (most recently used first), else nil.
    func take(_ upstream: Upstream) -> UpstreamConnection? {
        let slot = slot(upstream)
        while let connection = idle[slot].popLast() {
            if connection.isActive { return connection }
        }
        return nil
    }

    /// Opens a new connection to the server on this loop. A refused connection on
    /// loopback fails at once. An IP address is connected to as it is; a host name is
    /// resolved first (off the loop).
    func connect(_ upstream: Upstream, _ completion: @escaping (Result<UpstreamConnection, any Error>) -> Void) {
        let bootstrap = ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UpstreamConnection(upstream))
                }
            }
        let connected = if let address = try? SocketAddress(ipAddress: upstream.host, port: upstream.port) {
            bootstrap.connect(to: address)
        } else {
            bootstrap.connect(host: upstream.host, port: upstream.port)
        }
        connected
            .assumeIsolated()
            .flatMapThrowing { channel in try channel.pipeline.syncOperations.handler(type: UpstreamConnection.self) }
            .whenComplete { result in
                if case .success(let connection) = result { connection.pool = self }
                completion(result)
            }
    }

    /// Keeps a connection that finished an exchange cleanly for the next request.
    func release(_ connection: UpstreamConnection) {
        connection.delegate = nil
        guard connection.isActive, connection.isIdle else {
            connection.close()
            return
        }
        let slot = slot(connection.upstream)
        if idle[slot].count >= limit {
            connection.close()
            return
        }
        idle[slot].append(connection)
    }

    func remove(_ connection: UpstreamConnection) {
        guard let slot = slots[connection.upstream], let index = idle[slot].firstIndex(where: { $0 === connection }) else { return }
        idle[slot].remove(at: index)
    }

    /// Closes every idle connection (at shutdown).
    func closeAll() {
        let all = idle.flatMap { $0 }
        idle = idle.map { _ in [] }
        for connection in all { connection.close() }
    }
}

