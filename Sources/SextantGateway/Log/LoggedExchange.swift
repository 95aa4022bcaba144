import NIOCore
import SextantWire

/// One inference exchange on its way to the prediction log: the buffers the proxy already
/// had (request parts as they came, answer parts as they went out), shared, not copied.
/// The log's writer thread turns it into a `PredictionRecord`'s bytes.
struct LoggedExchange: Sendable {
    var time: Int64
    var requestId: String
    var model: String
    var revision: Int
    var version: Int
    var status: Int
    var latencyMs: Double
    var requestContentType: String?
    var requestHeaderLength: Int?
    var request: [ByteBuffer]
    var answerContentType: String?
    var answerHeaderLength: Int?
    var answer: [ByteBuffer]

    /// What it holds in memory, as the queue counts it: the storage its buffers keep alive.
    var bytes: Int {
        256 + request.reduce(0) { $0 + max($1.readableBytes, $1.storageCapacity) } + answer.reduce(0) { $0 + max($1.readableBytes, $1.storageCapacity) }
    }

    /// A `PredictionRecord`'s payload, written from the buffers without joining them first.
    func payload() -> [UInt8] {
        let record = PredictionRecord(time: time, requestId: requestId, model: model, revision: revision, version: version, status: status,
                                      latencyMs: latencyMs, request: .init(bytes: []), answer: .init(bytes: []))
        var writer = RecordWriter(capacity: 320 + request.reduce(0) { $0 + $1.readableBytes } + answer.reduce(0) { $0 + $1.readableBytes })
        record.writeHead(into: &writer)
        PredictionRecord.writeBodyHead(contentType: requestContentType, inferenceHeaderLength: requestHeaderLength, into: &writer)
        Self.write(request, into: &writer)
        PredictionRecord.writeBodyHead(contentType: answerContentType, inferenceHeaderLength: answerHeaderLength, into: &writer)
        Self.write(answer, into: &writer)
        return writer.bytes
    }

    private static func write(_ parts: [ByteBuffer], into writer: inout RecordWriter) {
        writer.integer(UInt32(parts.reduce(0) { $0 + $1.readableBytes }))
        for part in parts { part.withUnsafeReadableBytes { writer.raw($0) } }
    }
}
