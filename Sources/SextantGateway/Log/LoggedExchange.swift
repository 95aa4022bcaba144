import NIOCore
import SextantWire

/// One inference exchange on its way to the prediction log: its `PredictionRecord`'s
/// payload, encoded on the event loop by `ExchangeCapture` into one buffer, or two when
/// the answer started before the request was complete. The log's writer thread frames it (length, CRC) into a segment.
struct LoggedExchange: Sendable {
    var model: String
    /// The payload up to the answer (the whole payload when `answer` is nil).
    var head: ByteBuffer
    /// The rest of the payload: the answer's fields and body (and the unit, under an experiment).
    var answer: ByteBuffer?

    /// What it holds in memory, as the queue counts it: the storage of its buffers, and
    /// about 100 bytes per buffer for the object that owns the storage and the allocator's
    /// headers.
    var bytes: Int { 100 + head.capacity + (answer.map { 100 + $0.capacity } ?? 0) }

    /// The whole payload in one array (for a rewrite; `append` writes without joining).
    var payload: [UInt8] {
        var bytes = head.getBytes(at: head.readerIndex, length: head.readableBytes) ?? []
        if let answer { bytes += answer.readableBytesView }
        return bytes
    }

    /// Appends it to `writer` as one frame, without joining its buffers first.
    func append(to writer: SegmentWriter, now: Int64) throws(SegmentError) {
        let appended = head.withUnsafeReadableBytes { head in
            guard let answer else { return Result { () throws(SegmentError) in try writer.append(payload: head, now: now) } }
            return answer.withUnsafeReadableBytes { answer in Result { () throws(SegmentError) in try writer.append(payload: head, answer, now: now) } }
        }
        try appended.get()
    }
}
