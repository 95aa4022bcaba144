import NIOCore

/// What the prediction log keeps of one sampled inference exchange while it is under way:
/// its `PredictionRecord` payload, encoded as the exchange goes (docs/prediction-log.md,
/// "The segment format"). The bodies are copied into it as they pass through the proxy, so
/// the log holds one compact buffer per exchange, not the connections' read buffers; the
/// fields known only at the end (time, revision, status, latency, the bodies' lengths) are
/// written in their place when it is finished. An answer that starts once the request is
/// complete (the usual case) follows it in the same buffer; one that starts earlier gets a
/// buffer of its own, as request parts may still come. Past `limit` bytes it keeps nothing
/// more and the exchange is counted as dropped: the queue could not take it anyway. The
/// request's assignment unit, under an experiment, is written last, after the answer.
struct ExchangeCapture {
    /// The record's fields: time, request id, model, revision, version, status, latency,
    /// the request's content type, inference header length and body; then, when it
    /// started after the request was complete, the answer's.
    private var head: ByteBuffer
    /// The request's assignment unit (the hash of its unit header's value), under an experiment.
    private let unit: UInt64?
    /// The answer's content type, inference header length and body, when it started
    /// before the request was complete.
    private var separateAnswer: ByteBuffer?
    /// Where the revision field is (after the two strings); time is at 0.
    private let fieldsAt: Int
    /// Where the request body's length is; its bytes follow.
    private let requestLengthAt: Int
    private var requestComplete = false
    /// Where the answer's fields start in `head`, when they are there.
    private var answerAt: Int?
    /// Where the answer body's length is (in `head` or in `separateAnswer`).
    private var answerLengthAt = 0
    private(set) var overflowed = false
    private let limit: Int

    /// Room for an answer of a size not known yet.
    private static let answerRoom = 512

    init(requestId: String, model: String, head request: RequestHead, unit: UInt64? = nil, limit: Int) {
        self.limit = limit
        self.unit = unit
        let contentType = request.contentTypeRange.map { request.bytes.getSlice(at: request.bytes.readerIndex + $0.lowerBound, length: $0.count)! }
        let expected = min(request.contentLength ?? Self.answerRoom, 1 << 16)
        head = ByteBufferAllocator().buffer(capacity: 64 + requestId.utf8.count + model.utf8.count + (contentType?.readableBytes ?? 0) + expected
            + Self.answerRoom)
        // The fields before the body, through one access to the buffer (HeadWriter).
        let start = head.writerIndex
        var fieldsAt = 0, requestLengthAt = 0
        let room = 8 + 4 + requestId.utf8.count + 4 + model.utf8.count + PredictionLayout.fieldsSize + 5 + (contentType?.readableBytes ?? 0) + 9 + 4
        HeadWriter.write(into: &head, atMost: room) { writer in
            writer.append(littleEndian: Int64(0))
            Self.writeString(requestId, into: &writer)
            Self.writeString(model, into: &writer)
            fieldsAt = writer.count
            writer.appendZeros(PredictionLayout.fieldsSize)
            Self.writeBodyHead(contentType: contentType, inferenceHeaderLength: request.inferenceHeaderLength, into: &writer)
            requestLengthAt = writer.count
            writer.append(littleEndian: UInt32(0))
        }
        self.fieldsAt = start + fieldsAt
        self.requestLengthAt = start + requestLengthAt
    }

    mutating func requestBody(_ buffer: ByteBuffer) {
        guard take(buffer.readableBytes) else { return }
        head.writeImmutableBuffer(buffer)
    }

    /// The request is complete: its length is known, and an answer may follow it.
    mutating func requestEnd() {
        guard !overflowed, !requestComplete else { return }
        requestComplete = true
        head.setInteger(UInt32(head.writerIndex - requestLengthAt - 4), at: requestLengthAt, endianness: .little)
    }

    /// A new answer head (from the revision that answers): the answer so far is replaced.
    mutating func answerHead(contentType: ByteBuffer?, inferenceHeaderLength: Int?, contentLength: Int? = nil) {
        guard !overflowed else { return }
        if let answerAt {
            head.moveWriterIndex(to: answerAt)
        } else if requestComplete && separateAnswer == nil {
            answerAt = head.writerIndex
        } else {
            // A retry's answer replaces the first one's, in the same buffer.
            var section = separateAnswer ?? ByteBufferAllocator().buffer(capacity: 16 + (contentType?.readableBytes ?? 0)
                + min(contentLength ?? Self.answerRoom, 1 << 16))
            separateAnswer = nil
            section.clear()
            answerLengthAt = Self.writeAnswerHead(contentType: contentType, inferenceHeaderLength: inferenceHeaderLength, into: &section)
            separateAnswer = section
            return
        }
        answerLengthAt = Self.writeAnswerHead(contentType: contentType, inferenceHeaderLength: inferenceHeaderLength, into: &head)
    }

    mutating func answerBody(_ buffer: ByteBuffer) {
        guard answerAt != nil || separateAnswer != nil, take(buffer.readableBytes) else { return }
        if answerAt != nil {
            head.writeImmutableBuffer(buffer)
        } else {
            separateAnswer!.writeImmutableBuffer(buffer)
        }
    }

    /// A whole answer made by the gateway (502, 504).
    mutating func gatewayAnswer(_ body: ByteBuffer) {
        answerHead(contentType: ByteBuffer(string: "application/json"), inferenceHeaderLength: nil, contentLength: body.readableBytes)
        answerBody(body)
    }

    /// What is kept, as the queue counts it: the storage of the buffers.
    private var bytes: Int { head.capacity + (separateAnswer?.capacity ?? 0) }

    private mutating func take(_ count: Int) -> Bool {
        guard !overflowed else { return false }
        if bytes + count > limit {
            overflowed = true
            head = ByteBuffer()
            separateAnswer = nil
            return false
        }
        return true
    }

    /// The finished record: the fields known only now written in their place.
    consuming func exchange(model: String, revision: Int, version: Int, status: Int, microseconds: UInt64, time: Int64) -> LoggedExchange {
        head.setInteger(time, at: 0, endianness: .little)
        var at = fieldsAt
        at += head.setInteger(Int64(revision), at: at, endianness: .little)
        at += head.setInteger(Int64(version), at: at, endianness: .little)
        at += head.setInteger(UInt16(clamping: status), at: at, endianness: .little)
        head.setInteger((Double(microseconds) / 1000).bitPattern, at: at, endianness: .little)
        if answerAt != nil {
            head.setInteger(UInt32(head.writerIndex - answerLengthAt - 4), at: answerLengthAt, endianness: .little)
            Self.writeUnit(unit, into: &head)
            return LoggedExchange(model: model, head: head, answer: nil)
        }
        requestEnd()
        if var answer = separateAnswer {
            answer.setInteger(UInt32(answer.writerIndex - answerLengthAt - 4), at: answerLengthAt, endianness: .little)
            Self.writeUnit(unit, into: &answer)
            return LoggedExchange(model: model, head: head, answer: answer)
        }
        // No answer head: an absent content type and header length, an empty body.
        _ = Self.writeAnswerHead(contentType: nil, inferenceHeaderLength: nil, into: &head)
        Self.writeUnit(unit, into: &head)
        return LoggedExchange(model: model, head: head, answer: nil)
    }

    /// The unit after the answer, as `PredictionRecord.writeUnit` writes it: nothing
    /// without one, else a presence byte 1 and the unit.
    private static func writeUnit(_ unit: UInt64?, into buffer: inout ByteBuffer) {
        guard let unit else { return }
        buffer.writeInteger(UInt8(1))
        buffer.writeInteger(unit, endianness: .little)
    }

    /// Writes an answer's content type and inference header length and room for its body's
    /// length; returns where that length goes.
    private static func writeAnswerHead(contentType: ByteBuffer?, inferenceHeaderLength: Int?, into buffer: inout ByteBuffer) -> Int {
        HeadWriter.write(into: &buffer, atMost: 5 + (contentType?.readableBytes ?? 0) + 9 + 4) { writer in
            writeBodyHead(contentType: contentType, inferenceHeaderLength: inferenceHeaderLength, into: &writer)
            writer.append(littleEndian: UInt32(0))
        }
        return buffer.writerIndex - 4
    }

    private static func writeString(_ value: String, into writer: inout HeadWriter) {
        writer.append(littleEndian: UInt32(value.utf8.count))
        writer.append(value)
    }

    /// A content type (a flag, then its length and bytes) and an inference header length (a flag, then an Int64).
    private static func writeBodyHead(contentType: ByteBuffer?, inferenceHeaderLength: Int?, into writer: inout HeadWriter) {
        writer.append(littleEndian: UInt8(contentType == nil ? 0 : 1))
        if let contentType {
            writer.append(littleEndian: UInt32(contentType.readableBytes))
            writer.append(contentType)
        }
        writer.append(littleEndian: UInt8(inferenceHeaderLength == nil ? 0 : 1))
        if let inferenceHeaderLength { writer.append(littleEndian: Int64(inferenceHeaderLength)) }
    }
}

/// The fixed-size fields after a prediction record's two strings: revision and version
/// (Int64), status (UInt16), latency (Float64).
private enum PredictionLayout {
    static let fieldsSize = 8 + 8 + 2 + 8
}

extension PredictionLog {
    /// Queues a finished exchange (or counts it dropped when it was too large to keep).
    func submit(_ capture: consuming ExchangeCapture, model: String, revision: Int, version: Int, status: Int, microseconds: UInt64) {
        guard !capture.overflowed else {
            counters.count(.prediction, model: model, .dropped)
            return
        }
        let exchange = capture.exchange(model: model, revision: revision, version: version, status: status, microseconds: microseconds,
                                        time: Self.milliseconds())
        submit(.prediction(exchange), bytes: exchange.bytes)
    }
}
