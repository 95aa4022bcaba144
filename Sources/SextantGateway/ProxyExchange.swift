#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import NIOHTTP1
import SextantHTTP

/// One client request on its way through the gateway: streamed to the chosen revision's
/// server as it arrives, its answer streamed back as it arrives. Until the first byte of an
/// answer it keeps the request's parts (up to `retryLimit`) to send them again: once on a
/// fresh connection when a pooled one turns out closed, once on another revision (or
/// replica) when the server refused, reset or closed, or answered a server error (500,
/// 502, 503, 504: `isGatewayError`). It starts the mirrors' copies once the request is complete,
/// and hands them the served answer to compare. Runs on its client's loop.
final class ProxyExchange: UpstreamDelegate, DeadlineListEntry {
    /// Bodies up to this size are kept for a retry.
    static let retryLimit = 1 << 20
    /// Bodies up to this size are kept for a mirror's copy; larger ones are not mirrored.
    static let mirrorLimit = 16 << 20
    /// A served answer up to this size is kept to compare with a mirror's.
    static let comparedLimit = 4 << 20

    private let proxy: ProxyHandler
    private let gateway: Gateway
    /// This loop's shard of the gateway's counters.
    private let counters: Shard
    private let model: String
    private let counted: Bool
    private let head: RequestHead
    private var target: RouteTable.Target
    private var mirrors: [RouteTable.Target]

    private var upstream: UpstreamConnection?
    private var connecting = false
    private var reused = false
    /// The body so far, while a retry or a mirror may need it; nil once neither can.
    private var retained: BodyParts? = BodyParts()
    private var retainedBytes = 0
    /// Body parts that arrived while no connection was ready.
    private var unsent: [ByteBuffer] = []
    private var requestEnded = false
    private var answerStarted = false
    private var status = 0
    private var upstreamKeepAlive = true
    private var retried = false
    private var reconnected = false
    private var finished = false
    private var attemptStarted = NIODeadline.now()
    private var requestEndedAt: NIODeadline?
    /// Its place in its loop's list of requests waiting for answers.
    var deadlineLink = DeadlineLink<ProxyExchange>()
    /// The mirrors waiting for this answer, and the answer kept for them.
    private var pairs: [AnswerPair] = []
    private var served: ByteBuffer?
    /// What the prediction log keeps of this exchange, when it is sampled.
    private var capture: ExchangeCapture?

    init(proxy: ProxyHandler, model: String, counted: Bool, head: RequestHead, target: RouteTable.Target, mirrors: [RouteTable.Target],
         capture: ExchangeCapture? = nil) {
        self.capture = capture
        self.proxy = proxy
        self.gateway = proxy.gateway
        self.counters = proxy.pool.counters
        self.model = model
        self.counted = counted
        self.head = head
        self.target = target
        self.mirrors = mirrors
    }

    /// Called while the client's connection is being read: its read-complete flushes.
    func start() {
        counters.begin(model: model, revision: target.revision)
        connect(fresh: false, flush: false)
    }

    private var canRetry: Bool { retained != nil && retainedBytes <= Self.retryLimit }

    private func connect(fresh: Bool, flush: Bool = true) {
        attemptStarted = .now()
        if requestEnded { armTimeout() }
        if !fresh, let connection = proxy.pool.take(target.upstream) {
            attach(connection, flush: flush)
            return
        }
        connecting = true
        proxy.pool.connect(target.upstream) { [self] result in
            connecting = false
            switch result {
            case .success(let connection):
                if finished { proxy.pool.release(connection) } else { attach(connection) }
            case .failure(let error):
                if !finished { failedBeforeAnswer(Self.describe(error)) }
            }
        }
    }

    /// `flush: false` when the client's read-complete will flush: one write for the head
    /// and the body parts of the same read.
    private func attach(_ connection: UpstreamConnection, flush: Bool = true) {
        upstream = connection
        connection.attach(self)
        reused = connection.exchanges > 1
        connection.writeHead(head, pathPrefix: target.pathPrefix)
        for buffer in unsent { connection.writeBody(buffer) }
        unsent = []
        if requestEnded { connection.writeEnd() }
        if flush {
            connection.flush()
            proxy.resumeReading()
        }
    }

    // MARK: - From the client

    /// Whether the client's connection may be read: not while the server's connection is
    /// being made or cannot take more.
    var mayReadRequest: Bool { !connecting && (upstream?.isWritable ?? true) }

    func requestBody(_ buffer: ByteBuffer) {
        guard !finished else { return }
        capture?.requestBody(buffer)
        if retained != nil {
            retained!.append(buffer)
            retainedBytes += buffer.readableBytes
            if retainedBytes > (mirrors.isEmpty ? Self.retryLimit : Self.mirrorLimit) {
                retained = nil
                dropMirrors()
            }
        }
        if let upstream, !connecting {
            upstream.writeBody(buffer)
        } else {
            unsent.append(buffer)
        }
    }

    func requestEnd() {
        guard !finished else { return }
        requestEnded = true
        capture?.requestEnd()
        requestEndedAt = .now()
        if let upstream, !connecting { upstream.writeEnd() }
        armTimeout()
        if !mirrors.isEmpty { sendMirrors() }
        if answerStarted { retained = nil }
    }

    func flushUpstream() {
        if !connecting { upstream?.flush() }
    }

    func clientBecameWritable() {
        upstream?.resumeReading()
    }

    func clientWentAway() {
        guard !finished else { return }
        finished = true
        proxy.pool.timeouts.remove(self)
        upstream?.close()
        upstream = nil
        counters.finish(model: model, revision: target.revision, .abandoned, counted: counted)
        handOverServed(nil)
    }

    // MARK: - From the server

    var upstreamMayRead: Bool { proxy.isWritable }

    func upstreamBecameWritable(_ connection: UpstreamConnection) {
        proxy.resumeReading()
    }

    func upstreamReadComplete(_ connection: UpstreamConnection) {
        proxy.flush()
    }

    func upstream(_ connection: UpstreamConnection, received part: AnswerPart) {
        guard !finished else { return }
        switch part {
        case .head(let answer):
            // Decided here, before anything of the answer reaches the client.
            if Self.isGatewayError(answer.status), retryGatewayError(answer, on: connection) { return }
            answerStarted = true
            status = answer.status
            upstreamKeepAlive = answer.keepAlive
            capture?.answerHead(contentType: answer.contentType, inferenceHeaderLength: answer.inferenceHeaderLength, contentLength: answer.contentLength)
            if requestEnded || mirrors.isEmpty { retained = nil }
            if !pairs.isEmpty {
                let comparable = (200..<300).contains(status) && !answer.binary
                served = comparable ? ByteBuffer() : nil
                if !comparable { handOverServed(nil) }
            }
            proxy.writeAnswerHead(answer, revision: target.revision)
        case .body(let buffer):
            if served != nil {
                if served!.readableBytes + buffer.readableBytes > Self.comparedLimit {
                    served = nil
                    handOverServed(nil)
                } else {
                    served!.writeImmutableBuffer(buffer)
                }
            }
            capture?.answerBody(buffer)
            proxy.writeAnswerBody(buffer)
        case .end:
            complete()
        }
    }

    func upstreamClosed(_ connection: UpstreamConnection, error: (any Error)?) {
        guard !finished, connection === upstream else { return }
        upstream = nil
        if answerStarted {
            // Too late to retry: the client has part of an answer.
            finished = true
            proxy.pool.timeouts.remove(self)
            counters.finish(model: model, revision: target.revision, .failed, counted: counted, retried: retried)
            gateway.logger.warning("answer broke off", metadata: ["model": "\(model)", "revision": "\(target.revision)"])
            proxy.abortAnswer()
            handOverServed(nil)
        } else {
            failedBeforeAnswer(error.map(Self.describe) ?? "the connection closed before an answer")
        }
    }

    // MARK: - Outcomes

    private func complete() {
        finished = true
        proxy.pool.timeouts.remove(self)
        // Counted before the client can see the answer: whoever got an answer finds it counted.
        let microseconds = elapsed()
        counters.finish(model: model, revision: target.revision, .answered(status: status, microseconds: microseconds), counted: counted,
                        retried: retried)
        proxy.finishAnswer(requestComplete: requestEnded)
        log(status: status, microseconds: microseconds)
        if let upstream {
            self.upstream = nil
            // A connection is reused only after a whole request and a whole keep-alive answer.
            if requestEnded && upstreamKeepAlive { proxy.pool.release(upstream) } else { upstream.close() }
        }
        if !pairs.isEmpty { handOverServed(served) }
    }

    /// Envoy's `retry_on: 5xx`, less 501 and 505: a 500, 502, 503 or 504 may come from a
    /// proxy in front of the model servers rather than the model — Ray Serve's proxy answers
    /// 500 for a request whose replica died under it, and 502–504 when none is available —
    /// and another replica or revision may well answer. A model's own 500 (an input it
    /// cannot take) is retried once too: inference is idempotent, the failure still counts
    /// against the revision that failed, and a canary's error reaches no client while the
    /// stable revision can answer. 501 and 505 are answers about the protocol, which every
    /// server would repeat.
    static func isGatewayError(_ status: Int) -> Bool {
        status == 500 || status == 502 || status == 503 || status == 504
    }

    /// A gateway error before anything of it reached the client: a failure before an
    /// answer, retried once on another target if the request may be; false (the answer
    /// passes) when not. Its connection is closed, the rest of its answer unread.
    private func retryGatewayError(_ answer: AnswerHead, on connection: UpstreamConnection) -> Bool {
        guard !retried, canRetry, let next = gateway.retryTarget(model: model, excluding: target) else { return false }
        proxy.pool.timeouts.remove(self)
        upstream = nil
        connection.close()
        counters.finish(model: model, revision: target.revision, .answered(status: answer.status, microseconds: elapsed()), counted: counted,
                        retried: retried)
        retry(on: next, because: "answered \(answer.status)")
        return true
    }

    /// Refused, reset or closed before any byte of an answer: inference is idempotent, so
    /// the request goes again, once on a fresh connection if a pooled one had been closed by
    /// its server, and once on another revision.
    private func failedBeforeAnswer(_ message: String) {
        proxy.pool.timeouts.remove(self)
        if reused && !reconnected && canRetry {
            // A server may close an idle keep-alive connection at any time (RFC 9112 §9.3.1):
            // that is not a failure of the revision.
            reconnected = true
            reused = false
            unsent = retained?.all ?? []
            connect(fresh: true)
            return
        }
        counters.finish(model: model, revision: target.revision, .failed, counted: counted, retried: retried)
        if !retried, canRetry, let next = gateway.retryTarget(model: model, excluding: target) {
            retry(on: next, because: message)
            return
        }
        finished = true
        gateway.logger.warning("request failed", metadata: ["model": "\(model)", "revision": "\(target.revision)", "error": "\(message)"])
        let body = ProxyHandler.errorBody("r\(target.revision) of \(model) did not answer: \(message)")
        proxy.respondError(body: body, status: .badGateway, revision: target.revision, requestComplete: requestEnded)
        capture?.gatewayAnswer(body)
        log(status: 502, microseconds: elapsed())
        handOverServed(nil)
    }

    /// Sends the request again, from its first byte, to `next` (the failed attempt is counted).
    private func retry(on next: RouteTable.Target, because message: String) {
        gateway.logger.debug("retrying on another revision", metadata: [
            "model": "\(model)", "revision": "\(target.revision)", "next": "\(next.revision)", "error": "\(message)",
        ])
        retried = true
        target = next
        unsent = retained?.all ?? []
        counters.begin(model: model, revision: target.revision)
        connect(fresh: false)
    }

    /// Hands the exchange to the prediction log, when it is sampled.
    private func log(status: Int, microseconds: UInt64) {
        guard let capture, let log = gateway.predictionLog else { return }
        self.capture = nil
        log.submit(capture, model: model, revision: target.revision, version: target.version, status: status, microseconds: microseconds)
    }

    private func armTimeout() {
        proxy.pool.timeouts.append(self)
    }

    /// No complete answer in time: an error, a latency sample at the time waited, never a retry.
    func deadlinePassed(in list: DeadlineList<ProxyExchange>) {
        guard !finished else { return }
        finished = true
        counters.finish(model: model, revision: target.revision, .timedOut(microseconds: elapsed()), counted: counted, retried: retried)
        upstream?.close()
        upstream = nil
        gateway.logger.warning("request timed out", metadata: ["model": "\(model)", "revision": "\(target.revision)"])
        if answerStarted {
            proxy.abortAnswer()
        } else {
            let body = ProxyHandler.errorBody("r\(target.revision) of \(model) did not answer: no answer within \(gateway.timeoutDescription)")
            proxy.respondError(body: body, status: .gatewayTimeout, revision: target.revision, requestComplete: requestEnded)
            capture?.gatewayAnswer(body)
            log(status: 504, microseconds: elapsed())
        }
        handOverServed(nil)
    }

    /// Microseconds since the attempt had the whole request (or began, if later).
    private func elapsed() -> UInt64 {
        var start = attemptStarted
        if let requestEndedAt, requestEndedAt > start { start = requestEndedAt }
        let nanoseconds = (NIODeadline.now() - start).nanoseconds
        return nanoseconds > 0 ? UInt64(nanoseconds / 1000) : 0
    }

    /// A failure in a few words: "connection refused", "connection reset", ….
    static func describe(_ error: any Error) -> String {
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ECONNRESET: return "connection reset"
            case EPIPE: return "connection closed"
            default: return String(cString: strerror(error.errnoCode)).lowercased()
            }
        }
        if let error = error as? ChannelError, case .connectTimeout = error { return "no connection within 5 s" }
        return "\(error)"
    }

    // MARK: - Mirrors

    private func sendMirrors() {
        let targets = mirrors
        mirrors = []
        guard let body = retained?.all, let eventLoop = proxy.context?.eventLoop else {
            for target in targets { counters.dropped(model: model, revision: target.revision) }
            return
        }
        for target in targets {
            guard gateway.reserveMirror(model: model) else {
                counters.dropped(model: model, revision: target.revision)
                continue
            }
            let pair = AnswerPair(gateway: gateway, model: model, revision: target.revision)
            if !answerStarted { pairs.append(pair) } else { pair.served(nil) }
            MirrorExchange(gateway: gateway, pool: proxy.pool, eventLoop: eventLoop, model: model, target: target, head: head, body: body, pair: pair).start()
        }
    }

    private func dropMirrors() {
        for target in mirrors { counters.dropped(model: model, revision: target.revision) }
        mirrors = []
    }

    private func handOverServed(_ answer: ByteBuffer?) {
        let waiting = pairs
        pairs = []
        served = nil
        for pair in waiting { pair.served(answer) }
    }
}

/// A request body's parts as they came; the usual one-part body needs no array.
struct BodyParts {
    private var first: ByteBuffer?
    private var rest: [ByteBuffer] = []

    mutating func append(_ buffer: ByteBuffer) {
        if first == nil { first = buffer } else { rest.append(buffer) }
    }

    var all: [ByteBuffer] {
        guard let first else { return [] }
        return [first] + rest
    }
}
