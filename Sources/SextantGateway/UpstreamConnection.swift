import NIOCore
import NIOHTTP1
import NIOPosix

/// What drives an upstream connection while it carries one exchange: the client's request
/// (`ProxyExchange`) or a mirror's copy (`MirrorExchange`). Everything runs on the loop of
/// the connection, which is the loop of the client's connection.
protocol UpstreamDelegate: AnyObject {
    func upstream(_ connection: UpstreamConnection, received part: HTTPClientResponsePart)
    func upstreamReadComplete(_ connection: UpstreamConnection)
    /// The connection can take more bytes again.
    func upstreamBecameWritable(_ connection: UpstreamConnection)
    /// It closed (by the server, a reset, or an error) while carrying the exchange.
    func upstreamClosed(_ connection: UpstreamConnection, error: (any Error)?)
    /// Whether the connection may read answer bytes now (the client can take them).
    var upstreamMayRead: Bool { get }
}

/// One keep-alive HTTP/1.1 connection to a model server on loopback: the last handler of
/// its channel. Idle, it waits in its loop's `UpstreamPool`; busy, it passes the answer to
/// its delegate and holds reads while the delegate's client cannot take more.
final class UpstreamConnection: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    let port: Int
    private let host: String
    private let sink: HeadSink
    private var framing = Wire.Framing.asIs
    /// How many exchanges it carried; more than zero means it came from the pool.
    private(set) var exchanges = 0
    private var context: ChannelHandlerContext?
    private var readPending = false
    private var closedError: (any Error)?
    weak var pool: UpstreamPool?
    var delegate: (any UpstreamDelegate)?

    init(port: Int, sink: HeadSink) {
        self.port = port
        self.host = "127.0.0.1:\(port)"
        self.sink = sink
    }

    var isActive: Bool { context?.channel.isActive ?? false }
    var isWritable: Bool { context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Starts carrying one exchange.
    func attach(_ delegate: any UpstreamDelegate) {
        self.delegate = delegate
        exchanges += 1
    }

    /// Writes a request head as bytes. The parsed head also goes down the pipeline, where
    /// the answer's decoder notes its method (a HEAD's answer has no body) and the sink drops it.
    func writeHead(_ head: HTTPRequestHead) {
        guard let context, let raw = sink.context else { return }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: 256)
        framing = Wire.writeRequestHead(head, host: host, into: &buffer)
        raw.write(NIOAny(buffer), promise: nil)
    }

    func writeBody(_ buffer: ByteBuffer) {
        guard let raw = sink.context, buffer.readableBytes > 0 else { return }
        if case .chunked = framing {
            raw.write(NIOAny(Wire.chunkHeader(buffer.readableBytes, allocator: raw.channel.allocator)), promise: nil)
            raw.write(NIOAny(buffer), promise: nil)
            raw.write(NIOAny(Wire.chunkEnd), promise: nil)
        } else {
            raw.write(NIOAny(buffer), promise: nil)
        }
    }

    func writeEnd() {
        guard let raw = sink.context else { return }
        if case .chunked = framing { raw.write(NIOAny(Wire.lastChunk), promise: nil) }
        framing = .asIs
    }

    func flush() {
        sink.context?.flush()
    }

    /// Reads again after the delegate's client drained what it was sent.
    func resumeReading() {
        guard readPending, let context else { return }
        readPending = false
        context.read()
    }

    /// Closes it; the delegate, detached first, hears nothing more.
    func close() {
        delegate = nil
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        guard let delegate else {
            // An idle connection has nothing to say; whatever it says, it is not reused.
            context.close(promise: nil)
            return
        }
        delegate.upstream(self, received: part)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        delegate?.upstreamReadComplete(self)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { delegate?.upstreamBecameWritable(self) }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if let delegate, !delegate.upstreamMayRead {
            readPending = true
        } else {
            context.read()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closedError = error
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        pool?.remove(self)
        if let delegate {
            self.delegate = nil
            delegate.upstreamClosed(self, error: closedError)
        }
    }
}

/// One event loop's idle upstream connections, per port, used only on that loop: a
/// request's connection to its model server lives on the loop of the client's connection,
/// with no lock and no thread hop.
final class UpstreamPool {
    let eventLoop: any EventLoop
    /// The loop's shard of the gateway's counters.
    let counters: Shard
    /// The loop's requests waiting for answers.
    let timeouts: TimeoutQueue
    private var idle: [Int: [UpstreamConnection]] = [:]
    /// Idle connections kept per port; more are closed.
    private let limit: Int

    init(eventLoop: any EventLoop, counters: Shard, timeout: TimeAmount, limit: Int = 256) {
        self.eventLoop = eventLoop
        self.counters = counters
        self.timeouts = TimeoutQueue(eventLoop: eventLoop, timeout: timeout)
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
                    // No encoder: requests are written as bytes through the sink's context.
                    let sink = HeadSink()
                    try channel.pipeline.syncOperations.addHandler(sink)
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)))
                    try channel.pipeline.syncOperations.addHandler(UpstreamConnection(port: port, sink: sink))
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
        guard connection.isActive else { return }
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

/// The first handler of an upstream connection: request bytes are written from its
/// context, straight to the socket; the parsed request heads that come down the pipeline
/// (for the answer decoder to see) end here.
final class HeadSink: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = ByteBuffer

    private(set) var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        promise?.succeed()
    }
}
