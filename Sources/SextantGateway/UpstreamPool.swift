import NIOCore
import NIOPosix
import SextantHTTP

/// One event loop's idle upstream connections, per port, used only on that loop: a
/// request's connection to its model server lives on the loop of the client's connection,
/// with no lock and no thread hop.
final class UpstreamPool {
    let eventLoop: any EventLoop
    /// The loop's shard of the gateway's counters.
    let counters: Shard
    /// The loop's requests waiting for answers.
    let timeouts: DeadlineList<ProxyExchange>
    private var idle: [Int: [UpstreamConnection]] = [:]
    /// Idle connections kept per port; more are closed.
    private let limit: Int

    init(eventLoop: any EventLoop, counters: Shard, timeout: TimeAmount, limit: Int = 256) {
        self.eventLoop = eventLoop
        self.counters = counters
        self.timeouts = DeadlineList(eventLoop: eventLoop, timeout: timeout)
        self.limit = limit
    }

    /// An idle connection to the port if one is open (most recently used first), else nil.
    func take(port: Int) -> UpstreamConnection? {
        while let connection = idle[port]?.popLast() {
            if connection.isActive { return connection }
        }
        return nil
    }

    /// Opens a new connection to 127.0.0.1:port on this loop. A refused connection on
    /// loopback fails at once.
    func connect(port: Int, _ completion: @escaping (Result<UpstreamConnection, any Error>) -> Void) {
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        } catch {
            completion(.failure(error))
            return
        }
        ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UpstreamConnection(port: port))
                }
            }
            .connect(to: address)
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
        if idle[connection.port, default: []].count >= limit {
            connection.close()
            return
        }
        idle[connection.port, default: []].append(connection)
    }

    func remove(_ connection: UpstreamConnection) {
        guard let index = idle[connection.port]?.firstIndex(where: { $0 === connection }) else { return }
        idle[connection.port]?.remove(at: index)
    }

    /// Closes every idle connection (at shutdown).
    func closeAll() {
        let all = idle.values.flatMap { $0 }
        idle = [:]
        for connection in all { connection.close() }
    }
}

