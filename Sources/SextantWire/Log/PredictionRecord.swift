/// One inference exchange as the gateway saw it: what the client sent and what it got
/// back, bytes as they were (DESIGN §7 "Prediction log"), except that a model's classified
/// inputs are rewritten as keyed hashes by the log's writer thread (DESIGN §9). Decoding
/// bodies into rows is the daemon's work, never the gateway's request path.
public struct PredictionRecord: SegmentRecord, Hashable {
    public static let kind = SegmentKind.predictions

    /// One side of the exchange.
    public struct Body: Sendable, Hashable {
        /// Its `Content-Type`, when it had one.
        public var contentType: String?
        /// Its `Inference-Header-Content-Length` (the binary tensor extension): the JSON
        /// header is the first this many bytes, raw tensor data follows.
        public var inferenceHeaderLength: Int?
        public var bytes: [UInt8]

        public init(contentType: String? = nil, inferenceHeaderLength: Int? = nil, bytes: [UInt8]) {
            self.contentType = contentType
            self.inferenceHeaderLength = inferenceHeaderLength
            self.bytes = bytes
        }
    }

    /// When the answer was complete: milliseconds since 1970-01-01 UTC.
    public var time: Int64
    /// The client's `X-Request-Id`, or the ULID the gateway gave the request.
    public var requestId: String
    public var model: String
    /// The revision that answered (after a retry, the one that did), and its version.
    public var revision: Int
    public var version: Int
    /// The HTTP status the client got (a gateway error too: 502, 504).
    public var status: Int
    /// From the whole request received to the whole answer, in milliseconds.
    public var latencyMs: Double
    public var request: Body
    public var answer: Body
    /// Under an experiment with a unit header (DESIGN §10): the request's assignment unit,
    /// the keyed hash of the header's value (`ExperimentAssignment.unit(of:)`), never the
    /// value itself (it may be a user id). Nil outside an experiment, and for a request that
    /// did not carry the header.
    public var unit: UInt64?

    public init(time: Int64, requestId: String, model: String, revision: Int, version: Int, status: Int, latencyMs: Double,
                request: Body, answer: Body, unit: UInt64? = nil) {
        self.time = time
        self.requestId = requestId
        self.model = model
        self.revision = revision
        self.version = version
        self.status = status
        self.latencyMs = latencyMs
        self.request = request
        self.answer = answer
        self.unit = unit
    }

    public func encoded() -> [UInt8] {
        var writer = RecordWriter(capacity: 96 + requestId.utf8.count + model.utf8.count + request.bytes.count + answer.bytes.count)
        writeHead(into: &writer)
        Self.write(request, into: &writer)
        Self.write(answer, into: &writer)
        Self.writeUnit(unit, into: &writer)
        return writer.bytes
    }

    /// The unit, after the answer: nothing when there is none (a record is then exactly one
    /// of the format before units), else a presence byte 1 and the unit (UInt64).
    package static func writeUnit(_ unit: UInt64?, into writer: inout RecordWriter) {
        guard let unit else { return }
        writer.optional(unit) { $0.integer($1) }
    }

    /// The fields before the bodies (the gateway's writer appends bodies it holds in other buffers).
    package func writeHead(into writer: inout RecordWriter) {
        writer.integer(time)
        writer.string(requestId)
        writer.string(model)
        writer.integer(Int64(revision))
        writer.integer(Int64(version))
        writer.integer(UInt16(clamping: status))
        writer.double(latencyMs)
    }

    package static func write(_ body: Body, into writer: inout RecordWriter) {
        writeBodyHead(contentType: body.contentType, inferenceHeaderLength: body.inferenceHeaderLength, into: &writer)
        writer.blob(body.bytes)
    }

    /// A body's fields before its bytes (a length, then the bytes, follow).
    package static func writeBodyHead(contentType: String?, inferenceHeaderLength: Int?, into writer: inout RecordWriter) {
        writer.optional(contentType) { $0.string($1) }
        writer.optional(inferenceHeaderLength) { $0.integer(Int64($1)) }
    }

    public init(decoding payload: [UInt8]) throws(SegmentError) {
        var reader = RecordReader(payload)
        time = try reader.integer()
        requestId = try reader.string()
        model = try reader.string()
        revision = Int(try reader.integer(Int64.self))
        version = Int(try reader.integer(Int64.self))
        status = Int(try reader.integer(UInt16.self))
        latencyMs = try reader.double()
        request = try Self.readBody(&reader)
        answer = try Self.readBody(&reader)
        // Records written before units end with the answer.
        unit = try reader.isAtEnd ? nil : reader.optional { reader throws(SegmentError) in try reader.integer(UInt64.self) }
        guard reader.isAtEnd else { throw .malformedRecord("bytes after the answer") }
    }

    private static func readBody(_ reader: inout RecordReader) throws(SegmentError) -> Body {
        let contentType = try reader.optional { reader throws(SegmentError) in try reader.string() }
        let length = try reader.optional { reader throws(SegmentError) in Int(try reader.integer(Int64.self)) }
        return Body(contentType: contentType, inferenceHeaderLength: length, bytes: try reader.blob())
    }
}
