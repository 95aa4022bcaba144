import Foundation
import Histogram
import NIOCore
import NIOPosix
import SextantWire
import Synchronization

/// Per-revision counters and latency histograms (HdrHistogram, 1 µs to 60 s at three
/// significant digits), cumulative for the life of the gateway process, with the requests
/// in flight now and, for mirrors, how their answers agree with the served ones. Each
/// event loop records into a shard of its own (an uncontended lock on a cache line no
/// other thread writes); a snapshot merges the shards.
final class TrafficCounters: Sendable {
    private let shards: [Shard]
    private let loops: [ObjectIdentifier: Int]

    init() {
        var shards = [Shard()]
        var loops: [ObjectIdentifier: Int] = [:]
        for eventLoop in MultiThreadedEventLoopGroup.singleton.makeIterator() {
            loops[ObjectIdentifier(eventLoop)] = shards.count
            shards.append(Shard())
        }
        self.shards = shards
        self.loops = loops
    }

    /// The shard an event loop records into (others share the first).
    func shard(for eventLoop: any EventLoop) -> Shard {
        shards[loops[ObjectIdentifier(eventLoop)] ?? 0]
    }

    func begin(model: String, revision: Int) { shards[0].begin(model: model, revision: revision) }

    func finish(model: String, revision: Int, _ outcome: Outcome, counted: Bool, retried: Bool = false, mirror: Bool = false) {
        shards[0].finish(model: model, revision: revision, outcome, counted: counted, retried: retried, mirror: mirror)
    }

    func compared(model: String, revision: Int, _ comparison: AnswerComparison) {
        shards[0].compared(model: model, revision: revision, comparison)
    }

    private func merged() -> [Key: Revision] {
        var all: [Key: Revision] = [:]
        for shard in shards {
            for (key, counters) in shard.copy() {
                if var known = all[key] {
                    known.add(counters)
                    all[key] = known
                } else {
                    all[key] = counters
                }
            }
        }
        return all
    }

    typealias Outcome = Shard.Outcome
    typealias Key = Shard.Key
    typealias Revision = Shard.Revision

    /// The counters as the admin endpoint reports them.
    func snapshot() -> [RevisionCounters] {
        merged().map { key, counters in
            RevisionCounters(model: key.model, revision: key.revision, requests: counters.requests, errors: counters.errors,
                             clientErrors: counters.clientErrors,
                             latency: counters.latency.recordedValues().map { [counters.latency.highestEquivalentForValue($0.value), $0.count] },
                             inFlight: counters.inFlight, agreement: counters.agreement)
        }.sorted { ($0.model, $0.revision) < ($1.model, $1.revision) }
    }

    /// Prometheus text: requests by outcome, retries, mirrors, in-flight requests, latency
    /// quantiles and agreement per revision.
    func prometheus(generation: Int) -> String {
        struct Line {
            var model: String
            var revision: Int
            var counters: Revision
        }
        let lines = merged().map { Line(model: $0.key.model, revision: $0.key.revision, counters: $0.value) }.sorted { ($0.model, $0.revision) < ($1.model, $1.revision) }
        func labels(_ line: Line) -> String { "model=\"\(Self.escaped(line.model))\",revision=\"\(line.revision)\"" }
        var text = """
            # HELP sextant_gateway_routing_generation The generation of the routing table in force.
            # TYPE sextant_gateway_routing_generation gauge
            sextant_gateway_routing_generation \(generation)
            # HELP sextant_gateway_requests_total Requests routed to a revision, mirrored copies included, by outcome (error: 5xx, refused, reset or timed out).
            # TYPE sextant_gateway_requests_total counter

            """
        for line in lines {
            let answered = line.counters.requests - line.counters.errors - line.counters.clientErrors
            text += "sextant_gateway_requests_total{\(labels(line)),outcome=\"success\"} \(answered)\n"
            text += "sextant_gateway_requests_total{\(labels(line)),outcome=\"client_error\"} \(line.counters.clientErrors)\n"
            text += "sextant_gateway_requests_total{\(labels(line)),outcome=\"error\"} \(line.counters.errors)\n"
        }
        text += """
            # HELP sextant_gateway_retries_total Requests retried after failing before any answer or getting a 500, 502, 503 or 504, by the revision that took the retry.
            # TYPE sextant_gateway_retries_total counter

            """
        for line in lines { text += "sextant_gateway_retries_total{\(labels(line))} \(line.counters.retries)\n" }
        text += """
            # HELP sextant_gateway_in_flight Requests on their way to a revision now, mirrored copies included.
            # TYPE sextant_gateway_in_flight gauge

            """
        for line in lines { text += "sextant_gateway_in_flight{\(labels(line))} \(line.counters.inFlight)\n" }
        let mirrors = lines.filter { $0.counters.mirrored > 0 || $0.counters.agreement != nil }
        if !mirrors.isEmpty {
            text += """
                # HELP sextant_gateway_mirrored_requests_total Copies of requests sent to a mirror revision (shadow, preview); they are in requests_total too.
                # TYPE sextant_gateway_mirrored_requests_total counter

                """
            for line in mirrors { text += "sextant_gateway_mirrored_requests_total{\(labels(line))} \(line.counters.mirrored)\n" }
            text += """
                # HELP sextant_gateway_mirror_dropped_total Copies not sent to a mirror because too many of the model's mirrors were in flight.
                # TYPE sextant_gateway_mirror_dropped_total counter

                """
            for line in mirrors { text += "sextant_gateway_mirror_dropped_total{\(labels(line))} \(line.counters.agreement?.dropped ?? 0)\n" }
            text += """
                # HELP sextant_gateway_mirror_compared_total Mirrored answers compared with the answers the clients got.
                # TYPE sextant_gateway_mirror_compared_total counter

                """
            for line in mirrors { text += "sextant_gateway_mirror_compared_total{\(labels(line))} \(line.counters.agreement?.compared ?? 0)\n" }
            text += """
                # HELP sextant_gateway_mirror_labels_total Labels compared between mirrored and served answers, by whether they were equal.
                # TYPE sextant_gateway_mirror_labels_total counter

                """
            for line in mirrors {
                let agreement = line.counters.agreement ?? .init()
                text += "sextant_gateway_mirror_labels_total{\(labels(line)),result=\"equal\"} \(agreement.equalLabels)\n"
                text += "sextant_gateway_mirror_labels_total{\(labels(line)),result=\"different\"} \(agreement.labels - agreement.equalLabels)\n"
            }
            text += """
                # HELP sextant_gateway_mirror_scores_total Scores compared between mirrored and served answers.
                # TYPE sextant_gateway_mirror_scores_total counter

                """
            for line in mirrors { text += "sextant_gateway_mirror_scores_total{\(labels(line))} \(line.counters.agreement?.scores ?? 0)\n" }
            text += """
                # HELP sextant_gateway_mirror_score_difference_total The sum of absolute differences between mirrored and served scores.
                # TYPE sextant_gateway_mirror_score_difference_total counter

                """
            for line in mirrors { text += "sextant_gateway_mirror_score_difference_total{\(labels(line))} \(line.counters.agreement?.scoreDifference ?? 0)\n" }
        }
        text += """
            # HELP sextant_gateway_request_duration_seconds Latency of answered and timed-out requests, from HdrHistogram.
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

    /// A label value as the text format wants it.
    private static func escaped(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}


/// One event loop's counters (see `TrafficCounters`).
final class Shard: Sendable {
    enum Outcome: Sendable, Equatable {
        case answered(status: Int, microseconds: UInt64)
        /// Refused, reset, or closed before an answer: no latency.
        case failed
        /// No complete answer in time: an error, and a latency sample at the time waited.
        case timedOut(microseconds: UInt64)
        /// The client went away before the answer was complete: not a sample of the revision.
        case abandoned
    }

    struct Revision {
        var requests: UInt64 = 0
        var errors: UInt64 = 0
        var clientErrors: UInt64 = 0
        var retries: UInt64 = 0
        var mirrored: UInt64 = 0
        var latencySum: UInt64 = 0
        var inFlight = 0
        var agreement: RevisionCounters.Agreement?
        var latency = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)

        mutating func add(_ other: Revision) {
            requests += other.requests
            errors += other.errors
            clientErrors += other.clientErrors
            retries += other.retries
            mirrored += other.mirrored
            latencySum &+= other.latencySum
            inFlight += other.inFlight
            if let theirs = other.agreement {
                var ours = agreement ?? .init()
                ours.compared += theirs.compared
                ours.dropped += theirs.dropped
                ours.labels += theirs.labels
                ours.equalLabels += theirs.equalLabels
                ours.scores += theirs.scores
                ours.scoreDifference += theirs.scoreDifference
                agreement = ours
            }
            latency.add(other.latency)
        }
    }

    struct Key: Hashable {
        var model: String
        var revision: Int
    }

    /// Each revision's counters, and where they are in `all`; revisions are never removed.
    private struct Table {
        var all: [Revision] = []
        var slots: [Key: Int] = [:]
        /// The key counted last and its slot: a request's `finish` (and most next requests)
        /// name the revision of the one before, and then no `String` is hashed.
        var last: (key: Key, slot: Int)?

        /// Where the counters of `key` are (new ones the first time).
        mutating func slot(_ key: Key) -> Int {
            if let last, last.key == key { return last.slot }
            let slot: Int
            if let known = slots[key] {
                slot = known
            } else {
                slot = all.count
                all.append(Revision())
                slots[key] = slot
            }
            last = (key, slot)
            return slot
        }
    }

    private let revisions = Mutex(Table())

    /// A request (or a mirror's copy) is on its way to a revision.
    func begin(model: String, revision: Int) {
        revisions.withLock { revisions in
            let slot = revisions.slot(Key(model: model, revision: revision))
            revisions.all[slot].inFlight += 1
        }
    }

    /// The end of what `begin` started; `counted` is false for calls that are not samples
    /// (metadata, readiness), which only leave the in-flight gauge.
    func finish(model: String, revision: Int, _ outcome: Outcome, counted: Bool, retried: Bool = false, mirror: Bool = false) {
        revisions.withLock { revisions in
            let slot = revisions.slot(Key(model: model, revision: revision))
            Self.apply(outcome, to: &revisions.all[slot], counted: counted, retried: retried, mirror: mirror, leaving: true)
        }
    }

    private static func apply(_ outcome: Outcome, to counters: inout Revision, counted: Bool, retried: Bool, mirror: Bool, leaving: Bool) {
        if leaving { counters.inFlight -= 1 }
        guard counted, outcome != .abandoned else { return }
        counters.requests += 1
        if retried { counters.retries += 1 }
        if mirror { counters.mirrored += 1 }
        switch outcome {
        case .failed:
            counters.errors += 1
        case .timedOut(let microseconds):
            counters.errors += 1
            _ = counters.latency.record(min(max(microseconds, 1), 60_000_000))
            counters.latencySum &+= microseconds
        case .answered(let status, let microseconds):
            if status >= 500 {
                counters.errors += 1
            } else {
                if status >= 400 { counters.clientErrors += 1 }
                _ = counters.latency.record(min(max(microseconds, 1), 60_000_000))
                counters.latencySum &+= microseconds
            }
        case .abandoned:
            break
        }
    }

    /// A mirror's copy was not sent: too many of the model's mirrors were in flight.
    func dropped(model: String, revision: Int) {
        revisions.withLock { revisions in
            let slot = revisions.slot(Key(model: model, revision: revision))
            var agreement = revisions.all[slot].agreement ?? .init()
            agreement.dropped += 1
            revisions.all[slot].agreement = agreement
        }
    }

    /// A mirror's answer compared with the served one.
    func compared(model: String, revision: Int, _ comparison: AnswerComparison) {
        revisions.withLock { revisions in
            let slot = revisions.slot(Key(model: model, revision: revision))
            var agreement = revisions.all[slot].agreement ?? .init()
            agreement.compared += 1
            agreement.labels += comparison.labels
            agreement.equalLabels += comparison.equalLabels
            agreement.scores += comparison.scores
            agreement.scoreDifference += comparison.scoreDifference
            revisions.all[slot].agreement = agreement
        }
    }

    func copy() -> [Key: Revision] {
        revisions.withLock { table in table.slots.mapValues { table.all[$0] } }
    }
}
