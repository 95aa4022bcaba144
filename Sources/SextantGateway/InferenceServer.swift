import Logging
public import NIOCore
import NIOExtras
import NIOPosix
import SextantHTTP
import ServiceLifecycle

/// The gateway's inference listener as a service: a SwiftNIO HTTP/1.1 server whose
/// connections stream to model servers from the same event loop. On graceful shutdown it
/// stops accepting, lets the requests in flight finish (up to `drainTime`) and returns.
package struct InferenceServer: Service {
    let gateway: Gateway
    let host: String
    let port: Int
    let drainTime: Duration
    let onServing: @Sendable (Int) -> Void

    package func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        var pools: [ObjectIdentifier: NIOLoopBoundBox<UpstreamPool?>] = [:]
        for eventLoop in group.makeIterator() {
            pools[ObjectIdentifier(eventLoop)] = NIOLoopBoundBox.makeEmptyBox(valueType: UpstreamPool.self, eventLoop: eventLoop)
        }
        let loopPools = pools
        let gateway = gateway
        let limits = RequestLimits(gateway.limits, group: group)
        let quiesce = ServerQuiescingHelper(group: group)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let box = loopPools[ObjectIdentifier(channel.eventLoop)]!
                    let pool = box.value ?? UpstreamPool(eventLoop: channel.eventLoop, counters: gateway.counters.shard(for: channel.eventLoop),
                                                             timeout: gateway.timeout)
                    box.value = pool
                    try Self.addHandlers(to: channel, gateway: gateway, pool: pool, limiter: limits.limiter(on: channel.eventLoop))
                }
            }
            .bind(host: host, port: port)
            .get()
        onServing(channel.localAddress?.port ?? port)
        do {
            try await gracefulShutdown()
        } catch {
            // Cancelled: stop at once, without the drain.
            try? await channel.close()
            await Self.closeIdle(loopPools)
            throw error
        }
        let drained = group.next().makePromise(of: Void.self)
        quiesce.initiateShutdown(promise: drained)
        let drainTime = drainTime
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try? await drained.futureResult.get() }
            tasks.addTask { try? await Task.sleep(for: drainTime) }
            await tasks.next()
            tasks.cancelAll()
        }
        await Self.closeIdle(loopPools)
    }

    /// The one handler of a client connection: the proxy, which reads the requests' bytes
    /// itself, writes its answers as bytes and drives the connection's limiter.
    static func addHandlers(to channel: any Channel, gateway: Gateway, pool: UpstreamPool, limiter: RequestLimiter) throws {
        try channel.pipeline.syncOperations.addHandler(ProxyHandler(gateway: gateway, pool: pool, limiter: limiter))
    }

    private static func closeIdle(_ pools: [ObjectIdentifier: NIOLoopBoundBox<UpstreamPool?>]) async {
        for box in pools.values {
            try? await box.eventLoop.submit { box.value?.closeAll() }.get()
        }
    }
}

extension Gateway {
    /// Serves inference on a connection opened elsewhere, with the handlers the inference
    /// listener gives each connection it accepts (and its `limits`), and an upstream pool
    /// and deadline lists of the connection's own.
    ///
    /// How the listener's request handling runs without a socket: the fuzz target
    /// `FuzzGatewayRequest` (Fuzz/, docs/fuzzing.md) writes bytes into an `EmbeddedChannel`.
    /// Call it on the channel's event loop. A route to a server would connect from that loop,
    /// so over an `EmbeddedChannel` the routing table must route nowhere.
    public func serveInference(on channel: any Channel) throws {
        let pool = UpstreamPool(eventLoop: channel.eventLoop, counters: counters.shard(for: channel.eventLoop), timeout: timeout)
        let limiter = RequestLimits(limits, group: channel.eventLoop).limiter(on: channel.eventLoop)
        try InferenceServer.addHandlers(to: channel, gateway: self, pool: pool, limiter: limiter)
    }
}
