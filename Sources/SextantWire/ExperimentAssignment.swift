/// How the gateway assigns an experiment's traffic to its arms (DESIGN §10): each
/// assignment unit (a user, a session, …, named by a request header) always goes to the
/// same arm, so a user sees one revision for the whole experiment.
///
/// A unit is a keyed 64-bit hash of the header's value (`unit(of:)`); its arm follows from
/// the hash and the backends' weights alone (`arm(of:weights:)`), with no state, so every
/// gateway, and a gateway after a restart, sends a unit to the same arm. The prediction log
/// records the hash, never the header's value (it may be a user id).
public struct ExperimentAssignment: Sendable, Hashable, Codable {
    /// The request header whose value is the assignment unit (`X-User-Id`); nil: each
    /// request is its own unit, and the weights split requests as a canary's do.
    public var unitHeader: String?
    /// The hash's key, one per experiment: another experiment on the same model reshuffles
    /// the units, so the users in a candidate arm are not always the same ones.
    public var salt: UInt64

    public init(unitHeader: String?, salt: UInt64) {
        self.unitHeader = unitHeader
        self.salt = salt
    }

    /// How many buckets the units fall into: a weight of 1% is 100 buckets.
    public static let buckets: UInt64 = 10_000

    /// The unit of a header value: FNV-1a over its UTF-8 bytes, keyed with `salt` at the
    /// start and the end, then SplitMix64's finalizer so that every bit of the result
    /// depends on every byte (FNV-1a alone leaves its low bits poorly mixed, and the arm is
    /// taken from them).
    public func unit(of value: some StringProtocol) -> UInt64 {
        if let hashed = value.utf8.withContiguousStorageIfAvailable({ self.unit(ofUTF8: UnsafeRawBufferPointer($0)) }) { return hashed }
        var hash = start
        for byte in value.utf8 { hash = Self.step(hash, byte) }
        return finish(hash)
    }

    /// The unit of a header value given as its bytes (the gateway hashes them where they
    /// are in the request head, making no `String`).
    public func unit(ofUTF8 bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash = start
        for byte in bytes { hash = Self.step(hash, byte) }
        return finish(hash)
    }

    /// The index of the arm a unit goes to among arms of these weights (percents of the
    /// units; any non-negative numbers, scaled to their sum), nil when they are all 0. The
    /// unit's bucket (`unit % 10,000`) is compared with the cumulative weights scaled to
    /// 10,000: at weights 50/50 half of the buckets go to each arm. An arm of weight 0 gets
    /// no unit. Raising the last arm's weight only moves units into it: a unit already there
    /// stays.
    public static func arm(of unit: UInt64, weights: [Int]) -> Int? {
        var total = 0
        for weight in weights { total += max(weight, 0) }
        guard total > 0 else { return nil }
        let bucket = Int(unit % buckets)
        var cumulative = 0
        for (index, weight) in weights.enumerated() where weight > 0 {
            cumulative += weight
            // bucket < cumulative / total × 10,000, in integers.
            if bucket * total < cumulative * Int(buckets) { return index }
        }
        return weights.lastIndex { $0 > 0 }
    }

    private static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01B3

    private var start: UInt64 { Self.offsetBasis ^ Self.mix(salt) }

    private static func step(_ hash: UInt64, _ byte: UInt8) -> UInt64 {
        (hash ^ UInt64(byte)) &* prime
    }

    private func finish(_ hash: UInt64) -> UInt64 {
        Self.mix(hash ^ salt)
    }

    /// SplitMix64's finalizer (Steele, Lea and Flood 2014): a bijection of 64-bit values
    /// in which each output bit depends on every input bit.
    private static func mix(_ value: UInt64) -> UInt64 {
        var mixed = value &+ 0x9E37_79B9_7F4A_7C15
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
