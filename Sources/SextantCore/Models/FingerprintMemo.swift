import Synchronization

/// Fingerprints already computed for one commit's desired state, by what they depend on
/// besides it (a model and its data's hash). The planner asks for the same ones every pass
/// (and status again): hashing canonical JSON of a model and its contract each time cost
/// most of a no-op pass. A memo of pure functions: the planner stays pure.
package final class FingerprintMemo: Sendable {
    fileprivate let values = Mutex<[String: String?]>([:])

    package init() {}

    func value(_ key: String, _ compute: () -> String?) -> String? {
        if let known = values.withLock({ $0[key] }) { return known }
        let computed = compute()
        values.withLock { $0[key] = .some(computed) }
        return computed
    }
}

extension FingerprintMemo {
    /// Takes over `previous`'s fingerprints of `models`: models whose desired form the next
    /// commit did not change (every key names its model second).
    func carry(from previous: FingerprintMemo, models: Set<String>) {
        guard !models.isEmpty else { return }
        let kept = previous.values.withLock { values in
            values.filter { key, _ in
                let parts = key.split(separator: "\u{0}", maxSplits: 2, omittingEmptySubsequences: false)
                return parts.count > 1 && models.contains(String(parts[1]))
            }
        }
        values.withLock { $0.merge(kept) { current, _ in current } }
    }
}
