#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SextantHTTP
import SextantWire

/// The only handler of a client's connection to the inference listener: reads its requests
/// with a `RequestParser` (straight from the bytes: no NIO decoder, no `HTTPHeaders`), answers health
/// and `/metrics` itself and streams `/v2/models/…` calls to a model server through a
/// `ProxyExchange`, one request at a time. A pipelined request waits in a queue (and the
/// connection is not read meanwhile) until the answer before it is complete; a client that
/// does not pipeline never has its reads paused between requests, which saves two
/// `epoll_ctl` calls per request over `HTTPServerPipelineHandler`.
///
/// It drives its connection's `RequestLimiter` itself (rather than through a handler of
/// its own in the pipeline, one more hop per part on the hot path): a refused request is
/// answered 413, 408 or 400 when it can be, its exchange with a model server torn down,
/// and the connection closed, lingering (see `HTTPLimits`).
final class ProxyHandler: ChannelDuplexHandler, RemovableChannelHandler, RequestLimiterDelegate {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case idle
        /// Answered already (by the gateway, or the server answered early): the rest of the
        /// request is read and dropped.
        case discarding
        case proxying(ProxyExchange)
        /// A feedback request's body, collected until its end.
        case feedback(model: String, body: ByteBuffer)
    }

    let gateway: Gateway
    let pool: UpstreamPool
    private let limiter: RequestLimiter
    private var parser = RequestParser()
    private(set) var context: ChannelHandlerContext?
    private var state = State.idle
    private var readPending = false
    /// Parts of pipelined requests that arrived before the answer in progress was complete.
    private var queued = CircularBuffer<RequestPart>()
    /// Whether the connection stays open after the current answer.
    private var keepAlive = true
    private var version = HTTPVersion.http1_1
    /// Whether the request in progress is a HEAD, whose answer has no body.
    private var headRequest = false
    /// How the answer in progress frames its body.
    private var framing = Wire.Framing.asIs
    /// The answer head written last, held until its body is in or the next flush.
    private var held = HeldHead()
    /// The id of the inference request in progress, answered in `X-Request-Id`.
    private var requestId: String?
    private var random = SplitMix64()

    init(gateway: Gateway, pool: UpstreamPool, limiter: RequestLimiter) {
        self.gateway = gateway
        self.pool = pool
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

    // MARK: - The client's request

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // After a refusal, whatever comes is dropped.
        guard !limiter.isRefused else { return }
        do {
            try parser.parse(unwrapInboundIn(data)) { part in receive(part, context: context) }
        } catch {
            // Its framing is lost: the request it belongs to gets 400, and the connection closes.
            if !limiter.isRefused { act(on: limiter.malformed(error)) }
        }
    }

    /// One part of a request, as the parser read it; false once the request is refused.
    private func receive(_ part: RequestPart, context: ChannelHandlerContext) -> Bool {
        let verdict: RequestLimiter.Verdict
        switch part {
        case .head(let head): verdict = limiter.head(contentLength: head.contentLength, declared: head.contentLengthRange.map(head.string) ?? "")
        case .body(let buffer): verdict = limiter.body(buffer.readableBytes)
        case .end:
            limiter.end()
            verdict = .proceed
        }
        guard case .proceed = verdict else {
            act(on: verdict)
            return false
        }
        if !queued.isEmpty {
            queued.append(part)
        } else if case .head = part, case .proxying = state {
            // Pipelined: the answer before it is still on its way.
            queued.append(part)
        } else {
            handle(part, context: context)
        }
        return true
    }

    private func handle(_ part: RequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            begin(head, context: context)
        case .body(var buffer):
            switch state {
            case .proxying(let exchange):
                exchange.requestBody(buffer)
            case .feedback(let model, var body):
                state = .discarding
                body.writeBuffer(&buffer)
                state = .feedback(model: model, body: body)
            case .discarding, .idle:
                break
            }
        case .end:
            switch state {
            case .proxying(let exchange): exchange.requestEnd()
            case .feedback(let model, let body): answerFeedback(model: model, body: body)
            case .discarding: state = .idle
            case .idle: break
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        limiter.readComplete()
        if case .proxying(let exchange) = state { exchange.flushUpstream() }
        context.fireChannelReadComplete()
    }

    private func begin(_ head: RequestHead, context: ChannelHandlerContext) {
        keepAlive = head.keepAlive
        version = head.version
        headRequest = head.method == .head
        state = .discarding
        requestId = nil
        if let (model, inference) = head.withTarget(Self.modelCall) {
            if head.method == .post && !inference, let feedback = Self.feedbackModel(head.uri) {
                state = .feedback(model: feedback, body: context.channel.allocator.buffer(capacity: 0))
                return
            }
            if inference && head.method == .post { requestId = identify(head) }
            // Only inference is a sample of a revision; metadata and readiness calls are not.
            proxy(head, model: model, counted: inference && head.method == .post)
            return
        }
        let uri = head.uri
        let path = uri.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(uri[..<$0]) } ?? uri
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        switch (head.method, parts.count) {
        case (.post, 4) where parts[0] == "v2" && parts[1] == "models" && parts[3] == "infer":
            requestId = identify(head)
            proxy(head, model: String(parts[2]), counted: true)
        case (.post, 4) where parts[0] == "v2" && parts[1] == "models" && parts[3] == "feedback":
            state = .feedback(model: String(parts[2]), body: context.channel.allocator.buffer(capacity: 0))
        case (_, 3...) where parts[0] == "v2" && parts[1] == "models":
            // Only inference is a sample of a revision; metadata and readiness calls are not.
            let inference = head.method == .post && parts.count == 4 && parts[3] == "infer"
            proxy(head, model: String(parts[2]), counted: inference)
        case (.get, 3) where parts[0] == "v2" && parts[1] == "health" && (parts[2] == "live" || parts[2] == "ready"):
            respond(status: .ok, body: ByteBuffer(), contentType: nil)
        case (.get, 1) where parts[0] == "metrics":
            respond(status: .ok, body: ByteBuffer(string: gateway.prometheus()), contentType: "text/plain; version=0.0.4")
        default:
            respondError("no such endpoint \(path); inference is POST /v2/models/{name}/infer", status: .notFound)
        }
    }

    /// `/v2/models/NAME[/…]`: the model's name, and whether the rest is `/infer`; read
    /// from the bytes without splitting (this runs for every request).
    static func modelCall(_ uri: String) -> (model: String, inference: Bool)? {
        var uri = uri
        return uri.withUTF8 { modelCall(UnsafeRawBufferPointer($0)) }
    }

    static func modelCall(_ bytes: UnsafeRawBufferPointer) -> (model: String, inference: Bool)? {
        let prefix: StaticString = "/v2/models/"
        let count = prefix.utf8CodeUnitCount
        guard bytes.count > count, memcmp(bytes.baseAddress!, prefix.utf8Start, count) == 0 else { return nil }
        var end = count
        while end < bytes.count && bytes[end] != UInt8(ascii: "/") && bytes[end] != UInt8(ascii: "?") { end += 1 }
        guard end > count else { return nil }
        let model = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[count..<end]), as: UTF8.self)
        var rest = bytes.count
        if let query = bytes[end...].firstIndex(of: UInt8(ascii: "?")) { rest = query }
        let infer: StaticString = "/infer"
        let inference = rest - end == infer.utf8CodeUnitCount && memcmp(bytes.baseAddress! + end, infer.utf8Start, infer.utf8CodeUnitCount) == 0
        return (model, inference)
    }

    /// `/v2/models/NAME/feedback` (no query): the model's name.
    static func feedbackModel(_ uri: String) -> String? {
        guard uri.utf8.count > 20, uri.utf8.last == UInt8(ascii: "k"), uri.hasSuffix("/feedback") else { return nil }
        let parts = uri.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "v2", parts[2] == "models", !parts[3].isEmpty else { return nil }
        return String(parts[3])
    }

    /// The client's `X-Request-Id` when it is a valid one, else a new ULID.
    private func identify(_ head: RequestHead) -> String {
        if let range = head.requestIdRange {
            let given = head.string(range)
            if RequestID.isValid(given) { return given }
        }
        return RequestID.ulid(milliseconds: PredictionLog.milliseconds(), using: &random)
    }

    private func answerFeedback(model: String, body: ByteBuffer) {
        // Parsing up to 10,000 items takes a few milliseconds of this loop; the writing is the log's thread's.
        let (status, json) = gateway.acceptFeedback(model: model, body: body)
        respond(status: status, body: ByteBuffer(bytes: json), contentType: "application/json", requestComplete: true)
    }

    private func proxy(_ head: RequestHead, model: String, counted: Bool) {
        switch gateway.route(model: model, head: head, counted: counted) {
        case .unknownModel:
            respondError("unknown model \(model): no revision of it is routed here", status: .notFound)
        case .noServer:
            respondError("no server of \(model) is ready", status: .serviceUnavailable)
        case .target(let target, let mirrors, let log, let unit):
            if head.expectsContinue {
                // The gateway takes the body at once: it streams it on as it comes.
                write(Wire.continueAnswer)
                context?.flush()
            }
            var capture: ExchangeCapture?
            if let log, let requestId, let predictionLog = gateway.predictionLog, RequestID.isSampled(requestId, rate: log.sample) {
                capture = ExchangeCapture(requestId: requestId, model: model, head: head, unit: unit, limit: predictionLog.configuration.queueBytes)
            }
            let exchange = ProxyExchange(proxy: self, model: model, counted: counted, head: head, target: target, mirrors: mirrors, capture: capture)
            state = .proxying(exchange)
            exchange.start()
        }
    }

    // MARK: - Backpressure

    func read(context: ChannelHandlerContext) {
        if !queued.isEmpty {
            readPending = true
            limiter.readHeld()
        } else if case .proxying(let exchange) = state, !exchange.mayReadRequest {
            readPending = true
            limiter.readHeld()
        } else {
            limiter.readRequested()
            context.read()
        }
    }

    /// Reads the client again once the upstream connection can take more.
    func resumeReading() {
        guard readPending, let context else { return }
        readPending = false
        limiter.readRequested()
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, case .proxying(let exchange) = state { exchange.clientBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    var isWritable: Bool { context?.channel.isWritable ?? false }

    // MARK: - The answer

    /// Forwards a server's answer head: hop-by-hop fields dropped, the revision named.
    func writeAnswerHead(_ upstream: AnswerHead, revision: Int) {
        guard let context else { return }
        var buffer = HeldHead.allocate(context, bodyLength: headRequest ? nil : upstream.contentLength)
        framing = Wire.writeResponseHead(upstream, version: version, bodyAllowed: !headRequest, revision: revision, requestId: requestId, keepAlive: &keepAlive,
                                         into: &buffer)
        limiter.answerBegan()
        held.hold(buffer, context: context)
    }

    func writeAnswerBody(_ buffer: ByteBuffer) {
        guard let context, buffer.readableBytes > 0, !headRequest else { return }
        held.writeBody(buffer, framing: framing, to: context)
    }

    func flush() {
        guard let context else { return }
        held.write(to: context)
        context.flush()
    }

    /// Writes `buffer` after what is held.
    private func write(_ buffer: ByteBuffer) {
        guard let context else { return }
        held.write(to: context)
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    /// The exchange is over and its answer complete: the connection takes the next
    /// request, or closes if it was the last.
    func finishAnswer(requestComplete: Bool) {
        state = requestComplete ? .idle : .discarding
        guard let context else { return }
        if !headRequest { held.writeEnd(framing: framing, to: context) }
        held.write(to: context)
        framing = .asIs
        let verdict = limiter.answerEnded()
        if keepAlive {
            if case .refuse = verdict {
                // A pipelined request refused while this answer was under way: its turn.
                act(on: verdict, alreadyCounted: true)
                return
            }
            context.flush()
        } else {
            queued.removeAll()
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(ByteBuffer())).whenComplete { _ in loopBound.value.close(promise: nil) }
            return
        }
        if !queued.isEmpty {
            // Later on this loop turn: the exchange that called finishes its own work first.
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            context.eventLoop.execute { loopBound.value.deliverQueued() }
        } else {
            // Reads held for the exchange go on (the rest of its request, if any, is dropped).
            resumeReading()
        }
    }

    /// Handles the pipelined requests that waited, until one is in progress again.
    private func deliverQueued() {
        guard let context else { return }
        while let part = queued.first {
            if case .head = part, case .proxying = state { break }
            queued.removeFirst()
            handle(part, context: context)
        }
        if case .proxying(let exchange) = state { exchange.flushUpstream() }
        if queued.isEmpty { resumeReading() }
    }

    /// The answer broke off after its head went out: the client learns it from the closed
    /// connection.
    func abortAnswer() {
        state = .discarding
        guard let context else { return }
        held.write(to: context)
        context.close(promise: nil)
    }

    /// An error made by the gateway, as OIP's `{"error": …}`, naming the revision when one is concerned.
    /// `requestComplete`: whether the request's end was read already (else the rest is dropped).
    func respondError(_ message: String, status: HTTPResponseStatus, revision: Int? = nil, requestComplete: Bool = false) {
        respondError(body: Self.errorBody(message), status: status, revision: revision, requestComplete: requestComplete)
    }

    static func errorBody(_ message: String) -> ByteBuffer {
        ByteBuffer(bytes: (try? JSONEncoder().encode(["error": message])) ?? Data(#"{"error":"gateway error"}"#.utf8))
    }

    func respondError(body: ByteBuffer, status: HTTPResponseStatus, revision: Int? = nil, requestComplete: Bool = false) {
        respond(status: status, body: body, contentType: "application/json", revision: revision, requestComplete: requestComplete)
    }

    private func respond(status: HTTPResponseStatus, body: ByteBuffer, contentType: String?, revision: Int? = nil, requestComplete: Bool = false) {
        guard let context else { return }
        var buffer = context.channel.allocator.buffer(capacity: 256 + body.readableBytes)
        Wire.writeAnswer(status: status, version: version, contentType: contentType, body: headRequest ? ByteBuffer() : body, revision: revision,
                         requestId: requestId, keepAlive: keepAlive, into: &buffer)
        write(buffer)
        framing = .asIs
        finishAnswer(requestComplete: requestComplete)
    }

    // MARK: - The connection

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // Graceful shutdown: close now if nothing is in progress, else after the answer.
        queued.removeAll()
        keepAlive = false
        if case .idle = state { context.close(promise: nil) } else if limiter.isRefused { context.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        held.drop()
        limiter.stop()
        queued.removeAll()
        if case .proxying(let exchange) = state {
            state = .idle
            exchange.clientWentAway()
        }
        context.fireChannelInactive()
    }

    /// An error of the connection itself (a reset): it closes.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    // MARK: - Refusals

    func requestLimiter(_ limiter: RequestLimiter, decided verdict: RequestLimiter.Verdict) {
        act(on: verdict)
    }

    /// `alreadyCounted`: a held refusal, counted when it was held.
    private func act(on verdict: RequestLimiter.Verdict, alreadyCounted: Bool = false) {
        guard let context else { return }
        switch verdict {
        case .proceed:
            return
        case .refuse(let refusal):
            if !alreadyCounted { count(refusal) }
            // Every answer before it is complete: what is in progress or queued is the refused request.
            endExchange()
            queued.removeAll()
            let encoder = JSONEncoder()
            encoder.outputFormatting = .withoutEscapingSlashes
            let body = (try? encoder.encode(["error": refusal.message])) ?? Data(#"{"error":"request refused"}"#.utf8)
            var buffer = context.channel.allocator.buffer(capacity: 256 + body.count)
            Wire.writeAnswer(status: refusal.status, version: version, contentType: "application/json", body: ByteBuffer(bytes: body), revision: nil,
                             keepAlive: false, into: &buffer)
            write(buffer)
            stopWriting(context: context)
        case .drop(let refusal):
            count(refusal)
            queued.removeAll()
            if case .proxying = state {
                // Its answer has begun: it is cut.
                endExchange()
                context.close(promise: nil)
                return
            }
            stopWriting(context: context)
        case .hold(let refusal):
            count(refusal)
            // Pipelined behind an answer under way: the requests before it are answered
            // first; its own parts, if its head was queued (the last head, without an end
            // after it), leave the queue.
            if let start = queued.lastIndex(where: { if case .head = $0 { true } else { false } }),
               !queued[start...].contains(where: { if case .end = $0 { true } else { false } }) {
                queued.removeSubrange(start..<queued.endIndex)
            }
        case .close:
            context.close(promise: nil)
        }
    }

    private func count(_ refusal: Refusal) {
        gateway.refusals.count(refusal.reason)
        gateway.logger.debug("request refused", metadata: ["status": "\(refusal.status.code)", "reason": "\(refusal.reason.rawValue)",
                                                           "error": "\(refusal.message)"])
    }

    /// The exchange of a refused request ends before its answer: not a sample of its revision.
    private func endExchange() {
        if case .proxying(let exchange) = state {
            state = .discarding
            exchange.clientWentAway()
        }
        state = .discarding
    }

    /// Lingering close (`closeOutputLingering`): whatever arrives from here on is dropped.
    private func stopWriting(context: ChannelHandlerContext) {
        keepAlive = false
        readPending = false
        context.closeOutputLingering()
    }
}

