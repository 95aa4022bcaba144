import NIOCore
import NIOHTTP1
import SextantHTTP
import SextantInference

/// The last handler of a connection to the model server, after NIO's request decoder: routes
/// each request by its path bytes (`ModelRoute`), collects an inference request's body into
/// one buffer, answers it on the event loop, and writes the answer's head and body as one
/// buffer. Answers to the requests of one read go out in one flush.
///
/// Inference is synchronous CPU work, microseconds for a few rows: a hop into Swift
/// concurrency and back would cost more than it. A large batch (milliseconds for thousands
/// of rows) holds its loop meanwhile, and with it the other connections on that loop.
///
/// Requests are answered in the order they come, each as soon as its end is read, so a
/// pipelined request needs no queue: the answers before it were written already.
///
/// It drives its connection's `RequestLimiter` itself, as the gateway's `ProxyHandler` does
/// (no handler of its own in the pipeline): a refused request is answered 413, 408 or 400
/// with `Connection: close`, and the connection closes, lingering (see `HTTPLimits`).
final class ModelRequestHandler: ChannelDuplexHandler, RemovableChannelHandler, RequestLimiterDelegate {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The request whose end is not read yet.
    private struct Request {
        var route: ModelRoute
        var version: HTTPVersion
        var keepAlive: Bool
        var isHead: Bool
        var uri: String
        var method: HTTPMethod
        /// `Inference-Header-Content-Length`, as sent.
        var inferenceHeaderLength: String?
        var contentLength: Int?
    }

    private let server: ModelServer
    private let limiter: RequestLimiter
    private var context: ChannelHandlerContext?
    private var request: Request?
    /// Whether the request in progress is an inference, whose body is collected.
    private var collecting = false
    /// An inference request's body so far.
    private var body: ByteBuffer?
    /// The HTTP version of the last request, for a refusal's answer.
    private var version = HTTPVersion.http1_1
    /// Answers written since the last flush.
    private var unflushed = false
    /// Graceful shutdown: the answer in progress is the last.
    private var quiescing = false
    /// The connection's last answer was written: what arrives is dropped.
    private var finished = false
    private var readPending = false
    private var date = HTTPDate()

    init(server: ModelServer, limiter: RequestLimiter) {
        self.server = server
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
        context.fireChannelInactive()
    }

    // MARK: - Requests

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // After a refusal or the last answer, whatever comes is dropped.
        guard !limiter.isRefused, !finished else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            let verdict = limiter.head(head)
            version = head.version
            guard case .proceed = verdict else { return act(on: verdict) }
            begin(head, context: context)
        case .body(var part):
            let verdict = limiter.body(part.readableBytes)
            guard case .proceed = verdict else { return act(on: verdict) }
            guard collecting else { return }
            if body == nil {
                body = part
                if let expected = request?.contentLength, expected > part.readableBytes {
                    body!.reserveCapacity(minimumWritableBytes: expected - part.readableBytes)
                }
            } else {
                body!.writeBuffer(&part)
            }
        case .end:
            limiter.end()
            guard let request else { return }
            self.request = nil
            collecting = false
            answer(request, context: context)
        }
    }

    private func begin(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let route = ModelRoute.of(method: head.method, uri: head.uri, name: server.nameBytes, version: server.versionBytes)
        var inferenceHeaderLength: String?
        var contentLength: Int?
        if case .infer = route {
            collecting = true
            inferenceHeaderLength = head.headers.first(name: "inference-header-content-length")
            contentLength = head.headers.first(name: "content-length").flatMap { Int($0) }
        }
        if head.version.minor >= 1, head.headers.contains(name: "expect") {
            // The body is read at once: the client need not wait for it to be asked for.
            context.write(wrapOutboundOut(ByteBuffer(staticString: "HTTP/1.1 100 Continue\r\n\r\n")), promise: nil)
            context.flush()
        }
        request = Request(route: route, version: head.version, keepAlive: head.isKeepAlive, isHead: head.method == .HEAD,
                          uri: head.uri, method: head.method, inferenceHeaderLength: inferenceHeaderLength, contentLength: contentLength)
    }

    private func answer(_ request: Request, context: ChannelHandlerContext) {
        let answer: ModelAnswer
        switch request.route {
        case .ready:
            answer = .ok
        case .serverMetadata:
            answer = ModelAnswer(json: server.serverMetadataJSON)
        case .modelMetadata:
            answer = ModelAnswer(json: server.modelMetadataJSON)
        case .infer:
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            body = nil
            do throws(BadRequest) {
                let result = try server.infer(bytes, headerLength: request.inferenceHeaderLength)
                answer = ModelAnswer(json: result.json, binary: result.binary)
            } catch {
                answer = .error(error.message, status: .badRequest)
            }
        case .unknownModel(let model):
            answer = .error("unknown model \(model); this server serves \(server.name)", status: .notFound)
        case .unknownVersion(let wanted):
            answer = .error("unknown version \(wanted) of \(server.name); this server serves version \(server.version)", status: .notFound)
        case .noEndpoint:
            answer = .error("no such endpoint \(request.method) \(request.uri); inference is POST /v2/models/\(server.name)/infer", status: .notFound)
        }
        let keepAlive = request.keepAlive && !quiescing
        var buffer = context.channel.allocator.buffer(capacity: answer.byteCount)
        answer.write(version: request.version, keepAlive: keepAlive, withBody: !request.isHead, date: date.now(), into: &buffer)
        limiter.answerBegan()
        if keepAlive {
            context.write(wrapOutboundOut(buffer), promise: nil)
            unflushed = true
        } else {
            closeAfter(buffer, context: context)
        }
        let verdict = limiter.answerEnded()
        if case .refuse = verdict { act(on: verdict) }
    }

    /// Writes the last bytes of the connection, and closes it once they are out.
    private func closeAfter(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        unflushed = false
        finished = true
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in loopBound.value.close(promise: nil) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        limiter.readComplete()
        if unflushed {
            unflushed = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    // MARK: - Backpressure

    /// A client that sends requests faster than it reads the answers is not read until
    /// they have gone out.
    func read(context: ChannelHandlerContext) {
        if context.channel.isWritable || limiter.isRefused {
            limiter.readRequested()
            context.read()
        } else {
            readPending = true
            limiter.readHeld()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable && readPending {
            readPending = false
            limiter.readRequested()
            context.read()
        }
        context.fireChannelWritabilityChanged()
    }

    // MARK: - The connection

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            // Graceful shutdown: close now if no request is in progress, else after its answer.
            quiescing = true
            if request == nil || limiter.isRefused { closeAfter(ByteBuffer(), context: context) }
            return
        }
        if case ChannelEvent.inputClosed = event {
            // The client sends no more: once what was answered is out, nothing is left to do
            // (a request whose end did not come cannot be answered).
            closeAfter(ByteBuffer(), context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// A request the parser refused gets a 400 when no answer to it has begun; the
    /// connection closes in any case (its framing is lost).
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if limiter.isRefused {
            // The parser's complaints about what is dropped anyway.
            if error is HTTPParserError || error is ByteToMessageDecoderError { return }
            context.close(promise: nil)
            return
        }
        guard error is HTTPParserError else {
            context.close(promise: nil)
            return
        }
        act(on: limiter.malformed(error))
    }

    // MARK: - Refusals

    func requestLimiter(_ limiter: RequestLimiter, decided verdict: RequestLimiter.Verdict) {
        act(on: verdict)
    }

    private func act(on verdict: RequestLimiter.Verdict) {
        guard let context else { return }
        switch verdict {
        case .proceed, .hold:
            // Held: answered when the answers before it are complete (`answerEnded`).
            return
        case .refuse(let refusal):
            request = nil
            collecting = false
            body = nil
            var buffer = context.channel.allocator.buffer(capacity: 512)
            ModelAnswer(status: refusal.status, json: ModelAnswer.errorBody(refusal.message))
                .write(version: version, keepAlive: false, withBody: true, date: date.now(), into: &buffer)
            context.write(wrapOutboundOut(buffer), promise: nil)
            stopWriting(context: context)
        case .drop:
            request = nil
            collecting = false
            body = nil
            stopWriting(context: context)
        case .close:
            context.close(promise: nil)
        }
    }

    /// Lingering close (`closeOutputLingering`): whatever arrives from here on is dropped.
    private func stopWriting(context: ChannelHandlerContext) {
        unflushed = false
        readPending = false
        context.closeOutputLingering()
    }
}
