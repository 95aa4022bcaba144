import Foundation
import NIOCore
import NIOHTTP1
@testable import SextantHTTP

/// A test fixture: `RequestLimiter` driven by NIO's HTTP/1.1 codec, so that the limiter's
/// decisions can be checked on an embedded pipeline with the loop's clock moved by hand
/// (the gateway and `serve-model` drive their limiters from their own handlers). It sits
/// right after the `HTTPRequestDecoder`, passes the
/// request parts on, watches the answer parts go out, and refuses a request by answering
/// itself (`{"error": …}`, `Connection: close`).
///
/// From a refusal on it owns the connection: what arrives is dropped; the rest of the
/// refused request, if the application had its head, ends with the `Refusal` as an error
/// (so that the application's read of the body fails rather than returns it cut); what the
/// application writes after the answers before the refusal is dropped (its write fails
/// with `ChannelError.outputClosed`); and its requests to close are held until the
/// refusal was delivered and the client closed or the linger time passed.
final class RequestLimitsHandler: ChannelDuplexHandler, RemovableChannelHandler, RequestLimiterDelegate {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let limiter: RequestLimiter
    private var context: ChannelHandlerContext?
    /// Whether the application has a head whose end it did not get.
    private var requestOpen = false
    /// Whether the handler answered (or gave up answering): the application writes nothing more.
    private var ownsOutput = false
    private var inputClosed = false
    /// The application's requests to close, done when the channel is closed.
    private var heldCloses: [EventLoopPromise<Void>] = []

    init(limiter: RequestLimiter) {
        self.limiter = limiter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        limiter.delegate = self
        if context.channel.isActive { limiter.start() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        limiter.stop()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        limiter.start()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        limiter.stop()
        let closes = heldCloses
        heldCloses = []
        for promise in closes { promise.succeed() }
        context.fireChannelInactive()
    }

    // MARK: - The request

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !limiter.isRefused else { return }
        let part = unwrapInboundIn(data)
        let verdict: RequestLimiter.Verdict
        switch part {
        case .head(let head):
            verdict = limiter.head(head)
            if case .proceed = verdict { requestOpen = true }
        case .body(let buffer):
            verdict = limiter.body(buffer.readableBytes)
        case .end:
            limiter.end()
            verdict = .proceed
            requestOpen = false
        }
        guard case .proceed = verdict else {
            act(on: verdict, context: context)
            return
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        limiter.readComplete()
        if limiter.isRefused {
            // Dropping: read on, whatever the application's backpressure says.
            context.read()
        }
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        limiter.readRequested()
        context.read()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if limiter.isRefused {
            // The parser's complaints about what is dropped anyway.
            if error is HTTPParserError || error is ByteToMessageDecoderError { return }
            context.fireErrorCaught(error)
            return
        }
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        act(on: limiter.malformed(error), context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            inputClosed = true
            if limiter.isRefused {
                // The client stopped sending: once the refusal is out, nothing is left to wait for.
                if ownsOutput { closeNow(context: context) }
                return
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: - The answers

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !ownsOutput else {
            promise?.fail(ChannelError.outputClosed)
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.status.code >= 200 || head.status == .switchingProtocols { limiter.answerBegan() }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            context.write(data, promise: promise)
            let verdict = limiter.answerEnded()
            if case .refuse = verdict { act(on: verdict, context: context) }
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard limiter.isRefused, mode != .input, context.channel.isActive else {
            context.close(mode: mode, promise: promise)
            return
        }
        // A refusal is under way: the connection closes once it was delivered.
        if mode == .all, let promise { heldCloses.append(promise) } else { promise?.succeed() }
    }

    // MARK: - Refusals

    func requestLimiter(_ limiter: RequestLimiter, decided verdict: RequestLimiter.Verdict) {
        guard let context else { return }
        act(on: verdict, context: context)
    }

    private func act(on verdict: RequestLimiter.Verdict, context: ChannelHandlerContext) {
        switch verdict {
        case .proceed:
            return
        case .refuse(let refusal):
            // Output first: the application may answer its failed read at once.
            ownsOutput = true
            let encoder = JSONEncoder()
            encoder.outputFormatting = .withoutEscapingSlashes
            let body = ByteBuffer(bytes: (try? encoder.encode(["error": refusal.message])) ?? Data(#"{"error":"request refused"}"#.utf8))
            let headers: HTTPHeaders = ["content-type": "application/json", "content-length": String(body.readableBytes), "connection": "close"]
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: refusal.status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
            stopWriting(context: context)
            endApplicationRequest(refusal, context: context)
        case .drop(let refusal):
            ownsOutput = true
            stopWriting(context: context)
            endApplicationRequest(refusal, context: context)
        case .hold:
            // The application hears of it when its turn comes (`.refuse`), not before:
            // until then its answers to the requests before are written.
            context.read()
        case .close:
            closeNow(context: context)
        }
    }

    /// The application's read of a request it had the head of fails with the refusal.
    private func endApplicationRequest(_ refusal: Refusal, context: ChannelHandlerContext) {
        guard requestOpen else { return }
        requestOpen = false
        context.fireErrorCaught(refusal)
    }

    /// Lingering close: what was written goes out, then the end of output (NIO shuts the
    /// socket's output once its pending writes are written); what arrives is dropped until
    /// the client closes, or the linger deadline (`.close`).
    private func stopWriting(context: ChannelHandlerContext) {
        context.flush()
        guard !inputClosed else {
            closeNow(context: context)
            return
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        promise.futureResult.whenFailure { _ in
            // No half-closure here (or it failed): close at once.
            let (handler, context) = loopBound.value
            handler.closeNow(context: context)
        }
        context.close(mode: .output, promise: promise)
        context.read()
    }

    private func closeNow(context: ChannelHandlerContext) {
        context.close(mode: .all, promise: nil)
    }
}
