import NIOCore

/// What drives an upstream connection while it carries one exchange: the client's request
/// (`ProxyExchange`) or a mirror's copy (`MirrorExchange`). Everything runs on the loop of
/// the connection, which is the loop of the client's connection.
protocol UpstreamDelegate: AnyObject {
    func upstream(_ connection: UpstreamConnection, received part: AnswerPart)
    func upstreamReadComplete(_ connection: UpstreamConnection)
    /// The connection can take more bytes again.
    func upstreamBecameWritable(_ connection: UpstreamConnection)
    /// It closed (by the server, a reset, or an error) while carrying the exchange.
    func upstreamClosed(_ connection: UpstreamConnection, error: (any Error)?)
    /// Whether the connection may read answer bytes now (the client can take them).
    var upstreamMayRead: Bool { get }
}

/// One keep-alive HTTP/1.1 connection to a model server, the only handler of
/// its channel: it writes requests as bytes and reads answers with an `AnswerParser`.
/// Idle, it waits in its loop's `UpstreamPool`; busy, it passes the answer to its delegate
/// and holds reads while the delegate's client cannot take more.
final class UpstreamConnection: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let upstream: Upstream
    private let host: String
    private var framing = Wire.Framing.asIs
    private let parser = AnswerParser()
    /// The request head written last, held until its body is in or the next flush.
    private var held = HeldHead()
    /// How many exchanges it carried; more than zero means it came from the pool.
    private(set) var exchanges = 0
    private var context: ChannelHandlerContext?
    private var readPending = false
    private var closedError: (any Error)?
    weak var pool: UpstreamPool?
    var delegate: (any UpstreamDelegate)?

    init(_ upstream: Upstream) {
        self.upstream = upstream
        self.host = upstream.description
    }

    var isActive: Bool { context?.channel.isActive ?? false }
    /// Whether its last answer was read to the end (so the next can follow).
    var isIdle: Bool { parser.isIdle }
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

    /// Writes a request head as bytes, its target under `pathPrefix` (held: a small body
    /// goes out in the same buffer); its answer is read next.
    func writeHead(_ head: RequestHead, pathPrefix: String) {
        guard let context else { return }
        var buffer = HeldHead.allocate(context, bodyLength: head.contentLength)
        framing = Wire.writeRequestHead(head, host: host, pathPrefix: pathPrefix, into: &buffer)
        parser.expectAnswer(toHead: head.method == .head)
        held.hold(buffer, context: context)
    }

    func writeBody(_ buffer: ByteBuffer) {
        guard let context, buffer.readableBytes > 0 else { return }
        held.writeBody(buffer, framing: framing, to: context)
    }

    func writeEnd() {
        guard let context else { return }
        held.writeEnd(framing: framing, to: context)
        framing = .asIs
    }

    func flush() {
        guard let context else { return }
        held.write(to: context)
        context.flush()
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
        held.drop()
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard delegate != nil else {
            // An idle connection has nothing to say; whatever it says, it is not reused.
            context.close(promise: nil)
            return
        }
        do {
            try parser.feed(unwrapInboundIn(data)) { part in
                // The delegate may detach (and another attach) once the answer ends.
                self.delegate?.upstream(self, received: part)
            }
        } catch {
            closedError = error
            context.close(promise: nil)
        }
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
        held.drop()
        pool?.remove(self)
        // An answer with neither length nor chunks ends here.
        parser.closed { part in self.delegate?.upstream(self, received: part) }
        if let delegate {
            self.delegate = nil
            delegate.upstreamClosed(self, error: closedError)
        }
    }
}
