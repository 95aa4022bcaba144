import Logging
public import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
public import SextantHTTP
import ServiceLifecycle

/// A `ModelServer` on `host:port` as a service: a SwiftNIO HTTP/1.1 server whose requests
/// are answered on their connection's event loop by a `ModelRequestHandler`. On graceful
/// shutdown it stops accepting, lets the requests in progress finish (up to `drainTime`),
/// closes the idle connections and returns.
package struct ModelHTTPServer: Service {
    let server: ModelServer
    let host: String
    let port: Int
    let limits: HTTPLimits
    let drainTime: Duration
    let logger: Logger
    let onServerRunning: @Sendable (Int) async -> Void

    package func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let server = server
        let limits = RequestLimits(limits, group: group)
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
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Self.addHandlers(to: channel, server: server, limiter: limits.limiter(on: channel.eventLoop))
                }
            }
            .bind(host: host, port: port)
            .get()
        await onServerRunning(channel.localAddress?.port ?? port)
        do {
            try await gracefulShutdown()
        } catch {
            // Cancelled: stop at once, without the drain.
            try? await channel.close()
            return
        }
        let drained = group.next().makePromise(of: Void.self)
        quiesce.initiateShutdown(promise: drained)
        let drainTime = drainTime
        let allClosed = await withTaskGroup(of: Bool.self) { tasks in
            tasks.addTask { (try? await drained.futureResult.get()) != nil }
            tasks.addTask {
                try? await Task.sleep(for: drainTime)
                return false
            }
            defer { tasks.cancelAll() }
            return await tasks.next() ?? false
        }
        if !allClosed {
            logger.notice("requests still in progress after the drain time; stopping without them", metadata: ["drain": "\(HTTPLimits.describe(drainTime))"])
        }
    }

    /// The handlers of one connection: NIO's HTTP/1.1 request parser, then the model
    /// server's handler, which drives the connection's limiter and writes answers as bytes.
    static func addHandlers(to channel: any Channel, server: ModelServer, limiter: RequestLimiter) throws {
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
        try channel.pipeline.syncOperations.addHandler(ModelRequestHandler(server: server, limiter: limiter))
    }
}

extension ModelServer {
    /// Serves HTTP/1.1 on a connection opened elsewhere, with the handlers the listener
    /// gives each connection it accepts, and deadline lists of the connection's own.
    ///
    /// How the server's request handling runs without a socket: the fuzz targets
    /// `FuzzInference` and `FuzzModelServerRequest` (Fuzz/, docs/fuzzing.md) write bytes into
    /// an `EmbeddedChannel`. Call it on the channel's event loop.
    public func serveHTTP(on channel: any Channel, limits: HTTPLimits = HTTPLimits()) throws {
        let limiter = RequestLimits(limits, group: channel.eventLoop).limiter(on: channel.eventLoop)
        try ModelHTTPServer.addHandlers(to: channel, server: self, limiter: limiter)
    }
}
