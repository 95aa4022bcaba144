/// When a segment writer starts a new segment, and which closed segments it deletes.
public struct SegmentPolicy: Sendable, Hashable {
    /// A segment is closed once it holds this many bytes…
    public var rotateBytes: Int
    /// …or once it is this old (milliseconds since its first record).
    public var rotateMilliseconds: Int64
    /// Closed segments last written longer ago than this are deleted (milliseconds).
    public var retentionMilliseconds: Int64
    /// While the model's directory holds more bytes than this, its oldest closed segments are deleted.
    public var maxBytes: Int64

    /// DESIGN §7: rotated at 64 MiB or 1 min; kept 14 days, at most 1 GiB per model.
    public init(rotateBytes: Int = 64 << 20, rotateMilliseconds: Int64 = 60_000, retentionMilliseconds: Int64 = 14 * 86_400_000,
                maxBytes: Int64 = 1 << 30) {
        self.rotateBytes = rotateBytes
        self.rotateMilliseconds = rotateMilliseconds
        self.retentionMilliseconds = retentionMilliseconds
        self.maxBytes = maxBytes
    }
}
