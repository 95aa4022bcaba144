public import NIOCore
import NIOPosix
import Synchronization

/// A client connection to 127.0.0.1 that writes raw bytes (pieces of requests, bad
/// framings, pauses) and keeps whatever comes back, noting when the server closes.
public final class RawHTTPConnection: Sendable {
    private let channel: any Channel
    private let state: Received

    private final class Received: Sendable {
        let value = Mutex((text: "", closed: false))
    }

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let received: Received
        let initial: ByteBuffer?

        init(received: Received, initial: ByteBuffer?) {
            self.received = received
            self.initial = initial
        }

        func channelActive(context: ChannelHandlerContext) {
            if let initial { context.writeAndFlush(wrapOutboundOut(initial), promise: nil) }
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let text = String(buffer: unwrapInboundIn(data))
            received.value.withLock { $0.text += text }
        }

        func channelInactive(context: ChannelHandlerContext) {
            received.value.withLock { $0.closed = true }
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }

    private init(channel: any Channel, state: Received) {
        self.channel = channel
        self.state = state
    }

    /// - Parameter initial: bytes written as soon as the connection is made, from its event
    ///   loop: their timing does not depend on the test's task being scheduled (which can
    ///   take seconds when many tests run at once), so short server timeouts are safe.
    public static func open(port: Int, sending initial: String? = nil) async throws -> RawHTTPConnection {
        try await open(port: port, sending: initial.map { ByteBuffer(string: $0) })
    }

    public static func open(port: Int, sending initial: ByteBuffer?) async throws -> RawHTTPConnection {
        let received = Received()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(received: received, initial: initial)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawHTTPConnection(channel: channel, state: received)
    }

    public func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    public func send(_ buffer: ByteBuffer) async throws {
        try await channel.writeAndFlush(buffer)
    }

    /// What the server sent so far.
    public var received: String { state.value.withLock { $0.text } }
    /// Whether the server closed the connection (or reset it).
    public var isClosed: Bool { state.value.withLock { $0.closed } }

    /// Waits up to `timeout` for the server to close; whether it did.
    public func waitUntilClosed(timeout: Duration = .seconds(20)) async -> Bool {
        await waitFor(timeout: timeout) { _, closed in closed }
    }

    /// Waits up to `timeout` for what came back (and whether the server closed) to satisfy `condition`.
    public func waitFor(timeout: Duration = .seconds(20), _ condition: (String, Bool) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (text, closed) = state.value.withLock { ($0.text, $0.closed) }
            if condition(text, closed) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        let (text, closed) = state.value.withLock { ($0.text, $0.closed) }
        return condition(text, closed)
    }

    public func close() async {
        try? await channel.close()
    }
}
