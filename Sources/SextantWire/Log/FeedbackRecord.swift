/// A label or business figures for one logged request (DESIGN §7 "Feedback"), as the
/// gateway accepted it. The daemon joins it to the prediction with the same request id.
public struct FeedbackRecord: SegmentRecord, Hashable {
    public static let kind = SegmentKind.feedback

    /// When the gateway accepted it: milliseconds since 1970-01-01 UTC.
    public var time: Int64
    /// The request id of the prediction it is about.
    public var id: String
    /// The row of that request it labels (nil: every row, or the request's only one).
    public var row: Int?
    public var truth: FeedbackTruth?
    public var kpi: [String: Double]

    public init(time: Int64, id: String, row: Int? = nil, truth: FeedbackTruth?, kpi: [String: Double] = [:]) {
        self.time = time
        self.id = id
        self.row = row
        self.truth = truth
        self.kpi = kpi
    }

    public func encoded() -> [UInt8] {
        var writer = RecordWriter(capacity: 64 + id.utf8.count)
        writer.integer(time)
        writer.string(id)
        writer.optional(row) { $0.integer(Int64($1)) }
        writer.optional(truth) { $1.write(into: &$0) }
        writer.integer(UInt32(kpi.count))
        for (name, value) in kpi.sorted(by: { $0.key < $1.key }) {
            writer.string(name)
            writer.double(value)
        }
        return writer.bytes
    }

    public init(decoding payload: [UInt8]) throws(SegmentError) {
        var reader = RecordReader(payload)
        time = try reader.integer()
        id = try reader.string()
        row = try reader.optional { reader throws(SegmentError) in Int(try reader.integer(Int64.self)) }
        truth = try reader.optional { reader throws(SegmentError) in try FeedbackTruth(reading: &reader) }
        let count = Int(try reader.integer(UInt32.self))
        var kpi: [String: Double] = [:]
        for _ in 0..<count {
            let name = try reader.string()
            kpi[name] = try reader.double()
        }
        self.kpi = kpi
        guard reader.isAtEnd else { throw .malformedRecord("bytes after the figures") }
    }
}

/// One item of a feedback request's `feedback` array, as JSON (`POST
/// /v2/models/{name}/feedback`, `sextant feedback`).
public struct FeedbackItem: Sendable, Hashable, Codable {
    public var id: String
    public var row: Int?
    public var truth: FeedbackTruth?
    public var kpi: [String: Double]?

    public init(id: String, row: Int? = nil, truth: FeedbackTruth?, kpi: [String: Double]? = nil) {
        self.id = id
        self.row = row
        self.truth = truth
        self.kpi = kpi
    }
}

/// The gateway's answer to a feedback request: 202 with what it took and what it did not.
public struct FeedbackReceipt: Sendable, Hashable, Codable {
    public struct Rejection: Sendable, Hashable, Codable {
        /// The item's index in the request's `feedback` array (from 0).
        public var index: Int
        public var error: String

        public init(index: Int, error: String) {
            self.index = index
            self.error = error
        }
    }

    public var accepted: Int
    public var rejected: [Rejection]

    public init(accepted: Int, rejected: [Rejection]) {
        self.accepted = accepted
        self.rejected = rejected
    }
}
