import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import SextantHTTP
public import ServiceLifecycle

/// The gateway's inference listener as a service: a SwiftNIO HTTP/1.1 server whose
/// connections stream to model servers from the same event loop. On graceful shutdown it
/// stops accepting, lets the requests in flight finish (up to `drainTime`) and returns.
public struct InferenceServer: Service {
    let gateway: Gateway
    let host: String
    let port: Int
    let drainTime: Duration
    let onServing: @Sendable (Int) -> Void

    public func run() async throws {
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
                    // No encoder: the proxy writes answer heads itself, from the parsed ones.
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                    try channel.pipeline.syncOperations.addHandler(ProxyHandler(gateway: gateway, pool: pool, limiter: limits.limiter(on: channel.eventLoop)))
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

    private static func closeIdle(_ pools: [ObjectIdentifier: NIOLoopBoundBox<UpstreamPool?>]) async {
        for box in pools.values {
            try? await box.eventLoop.submit { box.value?.closeAll() }.get()
        }
    }
}
