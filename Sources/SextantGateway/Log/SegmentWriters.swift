import SextantWire

/// The log writer thread's open segment writers, one per kind and model, created on first
/// use. Records come in runs of one model, so the last one used is found without hashing.
struct SegmentWriters {
    struct Key: Hashable {
        var kind: SegmentKind
        var model: String
    }

    private let state: String
    private var writers: [Key: SegmentWriter] = [:]
    private var lastRetention: [Key: Int64] = [:]
    private var last: (key: Key, writer: SegmentWriter)?

    init(state: String) {
        self.state = state
    }

    var all: [(key: Key, writer: SegmentWriter)] { writers.map { ($0.key, $0.value) } }

    /// The writer of `STATE/KIND/MODEL/`, made (with `policy`) when there is none.
    mutating func writer(kind: SegmentKind, model: String, policy: @autoclosure () -> SegmentPolicy) throws(SegmentError) -> SegmentWriter {
        if let last, last.key.kind == kind, last.key.model == model { return last.writer }
        let key = Key(kind: kind, model: model)
        let writer: SegmentWriter
        if let known = writers[key] {
            writer = known
        } else {
            writer = try SegmentWriter(directory: SegmentDirectory.path(state: state, kind: kind, model: model), kind: kind, policy: policy())
            writers[key] = writer
        }
        last = (key, writer)
        return writer
    }

    /// Forgets a writer that failed: the next record starts a new segment.
    mutating func remove(kind: SegmentKind, model: String) {
        let key = Key(kind: kind, model: model)
        writers[key] = nil
        lastRetention[key] = nil
        if last?.key == key { last = nil }
    }

    /// Whether retention is to be applied to this directory now: every ten seconds.
    mutating func retentionDue(_ key: Key, now: Int64) -> Bool {
        guard now - lastRetention[key, default: 0] >= 10_000 else { return false }
        lastRetention[key] = now
        return true
    }
}
