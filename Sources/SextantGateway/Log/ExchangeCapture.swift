import NIOCore
import NIOHTTP1

/// What the prediction log keeps of one sampled inference exchange while it is under way:
/// the request's and the answer's buffers as they pass through the proxy (shared with
/// what is sent on, not copied). Past `limit` bytes it keeps nothing more and the exchange
/// is counted as dropped: the queue could not take it anyway.
struct ExchangeCapture {
    let requestId: String
    private let requestContentType: String?
    private let requestHeaderLength: Int?
    private var request: [ByteBuffer] = []
    private var answerContentType: String?
    private var answerHeaderLength: Int?
    private var answer: [ByteBuffer] = []
    private var bytes = 0
    private(set) var overflowed = false
    private let limit: Int

    init(requestId: String, head: HTTPRequestHead, limit: Int) {
        self.requestId = requestId
        requestContentType = head.headers.first(name: "content-type")
        requestHeaderLength = head.headers.first(name: "inference-header-content-length").flatMap { Int($0) }
        self.limit = limit
    }

    /// Counted by the storage a buffer keeps alive (a read's buffer is often larger than
    /// the body in it), so that the queue's bound is the memory it holds.
    mutating func requestBody(_ buffer: ByteBuffer) {
        guard take(max(buffer.readableBytes, buffer.storageCapacity)) else { return }
        request.append(buffer)
    }

    /// A new answer head (from the revision that answers): the answer so far is replaced.
    mutating func answerHead(contentType: ByteBuffer?, inferenceHeaderLength: Int?) {
        answerContentType = contentType.map { String(buffer: $0) }
        answerHeaderLength = inferenceHeaderLength
        bytes -= answer.reduce(0) { $0 + max($1.readableBytes, $1.storageCapacity) }
        answer = []
    }

    mutating func answerBody(_ buffer: ByteBuffer) {
        guard take(max(buffer.readableBytes, buffer.storageCapacity)) else { return }
        answer.append(buffer)
    }

    /// A whole answer made by the gateway (502, 504).
    mutating func gatewayAnswer(_ body: ByteBuffer) {
        answerHead(contentType: nil, inferenceHeaderLength: nil)
        answerContentType = "application/json"
        answerBody(body)
    }

    private mutating func take(_ count: Int) -> Bool {
        guard !overflowed else { return false }
        bytes += count
        if bytes > limit {
            overflowed = true
            request = []
            answer = []
            return false
        }
        return true
    }

    func exchange(model: String, revision: Int, version: Int, status: Int, microseconds: UInt64) -> LoggedExchange {
        LoggedExchange(time: PredictionLog.milliseconds(), requestId: requestId, model: model, revision: revision, version: version, status: status,
                       latencyMs: Double(microseconds) / 1000, requestContentType: requestContentType, requestHeaderLength: requestHeaderLength,
                       request: request, answerContentType: answerContentType, answerHeaderLength: answerHeaderLength, answer: answer)
    }
}

extension PredictionLog {
    /// Queues a finished exchange (or counts it dropped when it was too large to keep).
    func submit(_ capture: ExchangeCapture, model: String, revision: Int, version: Int, status: Int, microseconds: UInt64) {
        guard !capture.overflowed else {
            counters.count(.prediction, model: model, .dropped)
            return
        }
        let exchange = capture.exchange(model: model, revision: revision, version: version, status: status, microseconds: microseconds)
        submit(.prediction(exchange), bytes: exchange.bytes)
    }
}
