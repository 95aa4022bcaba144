/// `Authorization: Bearer TOKEN`, as the daemon's API and the gateway's admin endpoint
/// check it.
package enum BearerToken {
    /// True when `authorization` (the header's value) carries exactly `token`; compared in
    /// constant time.
    package static func matches(authorization: String?, token: String) -> Bool {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return false }
        return constantTimeEqual(Array(authorization.utf8.dropFirst("Bearer ".utf8.count)), Array(token.utf8))
    }

    /// Compares secrets without leaking, through timing, how much of them matched (only
    /// whether their lengths differ).
    package static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
