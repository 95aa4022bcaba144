import Foundation
import Histogram
import SextantCore
import Synchronization

/// Per-revision counters and latency histograms (HdrHistogram, 1 µs to 60 s at three
/// significant digits), cumulative for the life of the gateway process.
final class TrafficCounters: Sendable {
    enum Outcome {
        case answered(status: Int, microseconds: UInt64)
        /// Refused, reset, closed before an answer, or timed out.
        case failed
    }

    private struct Revision {
        var requests: UInt64 = 0
        var errors: UInt64 = 0
        var clientErrors: UInt64 = 0
        var retries: UInt64 = 0
        var latencySum: UInt64 = 0
        var latency = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    }

    private struct Key: Hashable {
        var model: String
        var revision: Int
    }

    private let revisions = Mutex<[Key: Revision]>([:])

    func record(model: String, revision: Int, _ outcome: Outcome, retried: Bool = false) {
        revisions.withLock { revisions in
            var counters = revisions[Key(model: model, revision: revision)] ?? Revision()
            counters.requests += 1
            if retried { counters.retries += 1 }
            switch outcome {
            case .failed:
                counters.errors += 1
            case .answered(let status, let microseconds):
                if status >= 500 {
                    counters.errors += 1
                } else {
                    if status >= 400 { counters.clientErrors += 1 }
                    _ = counters.latency.record(min(max(microseconds, 1), 60_000_000))
                    counters.latencySum &+= microseconds
                }
            }
            revisions[Key(model: model, revision: revision)] = counters
        }
    }

    /// The counters as the admin endpoint reports them.
    func snapshot() -> [RevisionCounters] {
        revisions.withLock { revisions in
            revisions.map { key, counters in
                RevisionCounters(model: key.model, revision: key.revision, requests: counters.requests, errors: counters.errors,
                                 clientErrors: counters.clientErrors,
                                 latency: counters.latency.recordedValues().map { [counters.latency.highestEquivalentForValue($0.value), $0.count] })
            }.sorted { ($0.model, $0.revision) < ($1.model, $1.revision) }
        }
    }

    /// Prometheus text: requests by outcome, retries, and latency quantiles per revision.
    func prometheus(generation: Int) -> String {
        struct Line {
            var model: String
            var revision: Int
            var counters: Revision
        }
        let lines = revisions.withLock { revisions in
            revisions.map { Line(model: $0.key.model, revision: $0.key.revision, counters: $0.value) }
        }.sorted { ($0.model, $0.revision) < ($1.model, $1.revision) }
        var text = """
            # HELP sextant_gateway_routing_generation The generation of the routing table in force.
            # TYPE sextant_gateway_routing_generation gauge
            sextant_gateway_routing_generation \(generation)
            # HELP sextant_gateway_requests_total Requests routed to a revision, by outcome (error: 5xx, refused, reset or timed out).
            # TYPE sextant_gateway_requests_total counter

            """
        func labels(_ line: Line) -> String { "model=\"\(line.model)\",revision=\"\(line.revision)\"" }
        for line in lines {
            let answered = line.counters.requests - line.counters.errors - line.counters.clientErrors
            text += "sextant_gateway_requests_total{\(labels(line)),outcome=\"success\"} \(answered)\n"
            text += "sextant_gateway_requests_total{\(labels(line)),outcome=\"client_error\"} \(line.counters.clientErrors)\n"
            text += "sextant_gateway_requests_total{\(labels(line)),outcome=\"error\"} \(line.counters.errors)\n"
        }
        text += """
            # HELP sextant_gateway_retries_total Requests that failed on a revision before any answer and were retried on another.
            # TYPE sextant_gateway_retries_total counter

            """
        for line in lines { text += "sextant_gateway_retries_total{\(labels(line))} \(line.counters.retries)\n" }
        text += """
            # HELP sextant_gateway_request_duration_seconds Latency of answered requests, from HdrHistogram.
            # TYPE sextant_gateway_request_duration_seconds summary

            """
        for line in lines {
            for quantile in [0.5, 0.9, 0.99, 0.999] {
                let micros = line.counters.latency.totalCount == 0 ? 0 : line.counters.latency.valueAtPercentile(quantile * 100)
                text += "sextant_gateway_request_duration_seconds{\(labels(line)),quantile=\"\(quantile)\"} \(Double(micros) / 1e6)\n"
            }
            text += "sextant_gateway_request_duration_seconds_sum{\(labels(line))} \(Double(line.counters.latencySum) / 1e6)\n"
            text += "sextant_gateway_request_duration_seconds_count{\(labels(line))} \(line.counters.latency.totalCount)\n"
        }
        return text
    }
}
