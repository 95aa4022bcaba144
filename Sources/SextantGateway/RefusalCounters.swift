import SextantHTTP
import Synchronization

/// Requests the inference listener refused by its `HTTPLimits`, by reason, for the life of
/// the process. Refusals are rare and not per revision (a refused request never reached
/// one), so one lock does.
final class RefusalCounters: Sendable {
    private let counts = Mutex<[Refusal.Reason: Int]>([:])

    func count(_ reason: Refusal.Reason) {
        counts.withLock { $0[reason, default: 0] += 1 }
    }

    func count(of reason: Refusal.Reason) -> Int {
        counts.withLock { $0[reason, default: 0] }
    }

    /// Prometheus text: one counter with a `reason` label, every reason listed.
    func prometheus() -> String {
        var text = """
            # HELP sextant_gateway_refused_requests_total Requests refused before reaching a model server: too_large (413), header_timeout and body_timeout (408), malformed (400).
            # TYPE sextant_gateway_refused_requests_total counter

            """
        for reason in Refusal.Reason.allCases {
            text += "sextant_gateway_refused_requests_total{reason=\"\(reason.rawValue)\"} \(count(of: reason))\n"
        }
        return text
    }
}
