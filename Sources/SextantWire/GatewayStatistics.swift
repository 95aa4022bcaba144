/// The gateway's counters: cumulative since the instance started, per revision. The
/// daemon subtracts the snapshot taken when a step's sample window began.
package struct GatewayStatistics: Sendable, Hashable, Codable {
    package var protocolVersion: Int
    /// A new id per gateway process: a new instance restarts the current sample window.
    package var instance: String
    package var generation: Int
    package var revisions: [RevisionCounters]

    package init(instance: String, generation: Int, revisions: [RevisionCounters]) {
        self.protocolVersion = RoutingTable.protocolVersion
        self.instance = instance
        self.generation = generation
        self.revisions = revisions
    }

    package func counters(model: String, revision: Int) -> RevisionCounters {
        revisions.first { $0.model == model && $0.revision == revision } ?? RevisionCounters(model: model, revision: revision)
    }
}

/// What one revision answered through the gateway.
package struct RevisionCounters: Sendable, Hashable, Codable {
    package var model: String
    package var revision: Int
    /// Every request routed to it (a retried one counts once here, as an error).
    package var requests: UInt64
    /// 5xx answers, refused or reset connections, timeouts (DESIGN §2 "SLO").
    package var errors: UInt64
    /// 4xx answers: the client's mistake, never an error.
    package var clientErrors: UInt64
    /// Latencies of the answered requests and of the timed-out ones (at the time waited),
    /// in microseconds: HdrHistogram's recorded buckets as `[value, count]` pairs, each
    /// value the bucket's highest. Refused and reset requests have no latency.
    package var latency: [[UInt64]]
    /// Requests on their way to it now (a gauge: what a graceful stop waits for).
    package var inFlight: Int?
    /// Its mirrored answers compared with the answers the clients got (shadow, preview).
    package var agreement: Agreement?

    package init(model: String, revision: Int, requests: UInt64 = 0, errors: UInt64 = 0, clientErrors: UInt64 = 0, latency: [[UInt64]] = [],
                inFlight: Int? = nil, agreement: Agreement? = nil) {
        self.model = model
        self.revision = revision
        self.requests = requests
        self.errors = errors
        self.clientErrors = clientErrors
        self.latency = latency
        self.inFlight = inFlight
        self.agreement = agreement
    }

    /// How a mirror's answers compare with the answers the clients got from the revision
    /// that served them, over the pairs where both were 2xx OIP v2 JSON. Outputs are matched
    /// by name, element by element: `BOOL`, `BYTES` and integer outputs are labels (equal or
    /// not), `FP16`/`FP32`/`FP64` outputs are scores (absolute difference).
    package struct Agreement: Sendable, Hashable, Codable {
        /// Mirrored requests whose two answers were compared.
        package var compared: UInt64
        /// Mirrored requests not sent because too many mirrors were already in flight.
        package var dropped: UInt64
        package var labels: UInt64
        package var equalLabels: UInt64
        package var scores: UInt64
        /// The sum of `|mirror − served|` over the compared scores.
        package var scoreDifference: Double

        package init(compared: UInt64 = 0, dropped: UInt64 = 0, labels: UInt64 = 0, equalLabels: UInt64 = 0, scores: UInt64 = 0, scoreDifference: Double = 0) {
            self.compared = compared
            self.dropped = dropped
            self.labels = labels
            self.equalLabels = equalLabels
            self.scores = scores
            self.scoreDifference = scoreDifference
        }

        /// The share of equal labels, nil before any.
        package var labelAgreement: Double? { labels == 0 ? nil : Double(equalLabels) / Double(labels) }
        /// The mean absolute difference of scores, nil before any.
        package var meanScoreDifference: Double? { scores == 0 ? nil : scoreDifference / Double(scores) }

        /// What was compared after `baseline`.
        package func since(_ baseline: Agreement?) -> Agreement {
            guard let baseline else { return self }
            return Agreement(compared: compared &- min(compared, baseline.compared), dropped: dropped &- min(dropped, baseline.dropped),
                             labels: labels &- min(labels, baseline.labels), equalLabels: equalLabels &- min(equalLabels, baseline.equalLabels),
                             scores: scores &- min(scores, baseline.scores), scoreDifference: max(0, scoreDifference - baseline.scoreDifference))
        }
    }

    /// What was counted after `baseline` (counters only grow within one instance).
    package func since(_ baseline: RevisionCounters?) -> RevisionCounters {
        guard let baseline else { return self }
        var before: [UInt64: UInt64] = [:]
        for pair in baseline.latency where pair.count == 2 { before[pair[0], default: 0] += pair[1] }
        let latency = self.latency.compactMap { pair -> [UInt64]? in
            guard pair.count == 2 else { return nil }
            let count = pair[1] &- min(pair[1], before[pair[0]] ?? 0)
            return count > 0 ? [pair[0], count] : nil
        }
        return RevisionCounters(model: model, revision: revision, requests: requests &- min(requests, baseline.requests),
                                errors: errors &- min(errors, baseline.errors),
                                clientErrors: clientErrors &- min(clientErrors, baseline.clientErrors), latency: latency,
                                inFlight: inFlight, agreement: agreement?.since(baseline.agreement))
    }

    /// The latency (microseconds) at or below which `percent` of the answered requests fall.
    package func percentile(_ percent: Double) -> UInt64? {
        let total = answered
        guard total > 0 else { return nil }
        let wanted = UInt64((Double(total) * percent / 100).rounded(.up))
        var seen: UInt64 = 0
        for pair in latency.sorted(by: { $0[0] < $1[0] }) where pair.count == 2 {
            seen += pair[1]
            if seen >= wanted { return pair[0] }
        }
        return latency.last?.first
    }

    /// Answered requests.
    package var answered: UInt64 { latency.reduce(0) { $0 + ($1.count == 2 ? $1[1] : 0) } }

    /// How many answered requests took more than `milliseconds` (to the histogram's
    /// precision of three significant digits).
    package func answered(where predicate: (Double) -> Bool) -> UInt64 {
        latency.reduce(0) { total, pair in
            guard pair.count == 2 else { return total }
            return predicate(Double(pair[0]) / 1000) ? total + pair[1] : total
        }
    }
}
