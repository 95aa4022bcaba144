/// Request ids of the prediction log: the client's `X-Request-Id` when it is one, else a
/// ULID the gateway makes (DESIGN §7).
public enum RequestID {
    public static let maxLength = 128

    /// 1–128 characters of `[A-Za-z0-9._:-]`.
    public static func isValid(_ id: some StringProtocol) -> Bool {
        var count = 0
        for byte in id.utf8 {
            count += 1
            guard count <= maxLength, isAllowed(byte) else { return false }
        }
        return count > 0
    }

    @inline(__always)
    static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "-"): true
        default: false
        }
    }

    private static let crockford: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// A ULID (https://github.com/ulid/spec): 26 characters of Crockford base 32, the first
    /// ten the milliseconds since 1970, the other sixteen 80 random bits. Ids made in
    /// different milliseconds sort by time.
    public static func ulid(milliseconds: Int64, using generator: inout some RandomNumberGenerator) -> String {
        let high = UInt64(truncatingIfNeeded: max(milliseconds, 0)) & 0xFFFF_FFFF_FFFF
        let random = generator.next() as UInt64
        let more = UInt16(truncatingIfNeeded: generator.next() as UInt64)
        // 128 bits: 48 of time, 80 random; written as 26 characters of 5 bits (the first holds 3).
        let upper = (high << 16) | UInt64(more)
        let lower = random
        return String(unsafeUninitializedCapacity: 26) { buffer in
            for index in 0..<26 {
                let shift = 125 - 5 * index
                let value: UInt64
                if shift >= 64 {
                    value = upper >> UInt64(shift - 64)
                } else if shift > 59 {
                    value = (upper << UInt64(64 - shift)) | (lower >> UInt64(shift))
                } else {
                    value = lower >> UInt64(shift)
                }
                buffer[index] = crockford[Int(value & 31)]
            }
            return 26
        }
    }

    /// Whether a request with this id is logged at sample rate `rate` (0…1): the same id is
    /// always decided the same way (FNV-1a of its bytes against the rate), so a client that
    /// retries with its id is logged either every time or never.
    public static func isSampled(_ id: String, rate: Double) -> Bool {
        if rate >= 1 { return true }
        if rate <= 0 { return false }
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        // Mixed once more: FNV's low bits vary little between ids that differ at the end.
        hash ^= hash >> 33
        hash = hash &* 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        return Double(hash >> 11) / Double(1 << 53) < rate
    }
}
