/// What a segment holds; its directory under the state directory and its header byte.
public enum SegmentKind: UInt8, Sendable, Hashable, CaseIterable {
    /// `STATE/predictions/MODEL/`: `PredictionRecord`s.
    case predictions = 1
    /// `STATE/feedback/MODEL/`: `FeedbackRecord`s.
    case feedback = 2

    /// The directory under the state directory that holds one directory per model.
    public var directoryName: String {
        switch self {
        case .predictions: "predictions"
        case .feedback: "feedback"
        }
    }
}

/// A record stored in segments: its bytes are a frame's payload (docs/prediction-log.md).
public protocol SegmentRecord: Sendable {
    static var kind: SegmentKind { get }
    /// The payload of its frame.
    func encoded() -> [UInt8]
    init(decoding payload: [UInt8]) throws(SegmentError)
}

/// A segment that cannot be read or written, or a record that is not what it should be.
public enum SegmentError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A payload whose CRC matched but whose fields do not parse (a newer or broken writer).
    case malformedRecord(String)
    /// A file under the log's directory that does not start with the segment header.
    case notASegment(path: String)
    /// A segment of a newer format than this reader's.
    case newerFormat(path: String, version: Int)
    /// A file operation failed.
    case io(path: String, operation: String, errno: Int32)

    public var description: String {
        switch self {
        case .malformedRecord(let what): "a malformed record: \(what)"
        case .notASegment(let path): "\(path) is not a segment (no Sextant segment header)"
        case .newerFormat(let path, let version): "\(path) is of segment format \(version), newer than this sextant's \(SegmentFormat.version): upgrade sextant"
        case .io(let path, let operation, let errno): "cannot \(operation) \(path): \(SegmentError.text(errno))"
        }
    }

    static func text(_ errno: Int32) -> String {
        guard let message = strerror(errno) else { return "errno \(errno)" }
        return String(cString: message).lowercased()
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
