package import Foundation
package import SextantAPI

/// The retraining triggers of one model (DESIGN §7 "Retraining"), decided purely: given
/// the spec, the time, what the monitor kept from its last check and what production says,
/// fire (with the reasons) or wait (saying why). Checked every `drift.interval`.
package enum RetrainMonitor {
    /// Labelled rows the online metric needs before `accuracy` can fire.
    package static let minAccuracySamples = 100

    /// What production says about the model at a check.
    package struct Signals: Sendable, Hashable {
        /// Dataset drift on the serving revisions' newest rows; nil when there is no verdict.
        package var drift: Bool?
        /// The stable revision's online metrics and labelled rows.
        package var online: OnlineRevision?
        /// The content hash of a `uri:` dataset when it differs from the one the serving
        /// version trained on (and from the last retraining's); nil otherwise.
        package var changedDataSha256: String?
        /// Labelled production rows of the serving revisions (what `data: feedback` adds).
        package var labelledRows: Int

        package init(drift: Bool? = nil, online: OnlineRevision? = nil, changedDataSha256: String? = nil, labelledRows: Int = 0) {
            self.drift = drift
            self.online = online
            self.changedDataSha256 = changedDataSha256
            self.labelledRows = labelledRows
        }
    }

    /// What a check decided.
    package enum Decision: Sendable, Hashable {
        /// Not checked: the next check is due then.
        case notDue(Date)
        /// Nothing fires, or a trigger waits (labelled rows, cooldown): the message says which.
        case wait(String)
        /// A retraining starts, for these reasons.
        case fire([RetrainReason])
    }

    /// Checks the triggers if a check is due; returns the state to keep and the decision.
    package static func check(_ spec: RetrainSpec, interval: Duration, signals: Signals, state: RetrainState, now: Date) -> (RetrainState, Decision) {
        if let checked = state.checkedAt, now < checked.addingTimeInterval(interval.seconds) {
            return (state, .notDue(checked.addingTimeInterval(interval.seconds)))
        }
        var state = state
        let triggers = spec.on ?? []
        // A cron firing is kept until acted on, so one that waits for rows is not lost.
        if triggers.contains(.schedule), let schedule = spec.schedule, state.scheduleDue == nil {
            let since = state.checkedAt ?? now.addingTimeInterval(-interval.seconds)
            if schedule.fired(after: since, until: now) { state.scheduleDue = schedule.next(atOrAfter: since.addingTimeInterval(1)) ?? now }
        }
        state.checkedAt = now

        var reasons: [RetrainReason] = []
        var quiet: [String] = []
        for trigger in triggers {
            switch trigger {
            case .drift:
                switch signals.drift {
                case true?: reasons.append(RetrainReason(trigger: .drift, summary: "dataset drift on the serving revisions' newest rows"))
                case false?: quiet.append("no dataset drift")
                case nil: quiet.append("no drift verdict yet")
                }
            case .accuracy:
                guard let rule = spec.accuracy else { continue }
                let metric = rule.metric.rawValue
                guard let online = signals.online, online.labelledRows >= minAccuracySamples else {
                    quiet.append("\(metric): \(signals.online?.labelledRows ?? 0) of \(minAccuracySamples) labelled rows")
                    continue
                }
                guard let value = online.metrics[metric] else {
                    quiet.append("\(metric) is undefined online")
                    continue
                }
                if let below = rule.below, value < below {
                    reasons.append(RetrainReason(trigger: .accuracy, summary: "online \(metric) \(formatMetric(value)) of r\(online.revision) is below \(formatMetric(below)) on \(online.labelledRows) labelled rows",
                                                 metric: metric, value: value, threshold: below, rows: online.labelledRows))
                } else if let above = rule.above, value > above {
                    reasons.append(RetrainReason(trigger: .accuracy, summary: "online \(metric) \(formatMetric(value)) of r\(online.revision) is above \(formatMetric(above)) on \(online.labelledRows) labelled rows",
                                                 metric: metric, value: value, threshold: above, rows: online.labelledRows))
                } else {
                    quiet.append("online \(metric) \(formatMetric(value))")
                }
            case .dataChange:
                if let sha256 = signals.changedDataSha256 {
                    reasons.append(RetrainReason(trigger: .dataChange, summary: "the dataset's content changed to sha256 \(sha256.prefix(12))", sha256: sha256))
                } else {
                    quiet.append("the data is unchanged")
                }
            case .schedule:
                if let due = state.scheduleDue {
                    reasons.append(RetrainReason(trigger: .schedule, summary: "schedule \(spec.schedule?.description ?? "") fired at \(iso8601(due))"))
                } else if let next = spec.schedule?.next(atOrAfter: now) {
                    quiet.append("next scheduled at \(iso8601(next))")
                }
            }
        }
        guard !reasons.isEmpty else {
            return (state, .wait(quiet.isEmpty ? "no trigger configured" : "no trigger fired: " + quiet.joined(separator: "; ")))
        }
        let cooldown = (spec.cooldown ?? RetrainSpec.defaultCooldown).seconds
        if let triggered = state.triggeredAt, now < triggered.addingTimeInterval(cooldown) {
            return (state, .wait("\(reasons.map(\.trigger.rawValue).joined(separator: ", ")) fired; cooling down until \(iso8601(triggered.addingTimeInterval(cooldown))) after the retraining of \(iso8601(triggered))"))
        }
        let minRows = spec.minRows ?? RetrainSpec.defaultMinRows
        if (spec.data ?? .feedback) == .feedback, signals.labelledRows < minRows {
            return (state, .wait("\(reasons.map(\.trigger.rawValue).joined(separator: ", ")) fired; waiting for labelled production rows: \(signals.labelledRows) of \(minRows)"))
        }
        state.triggeredAt = now
        state.scheduleDue = nil
        return (state, .fire(reasons))
    }
}

/// Why a retraining started: the trigger and its numbers (the evidence's first table).
package struct RetrainReason: Sendable, Hashable, Codable {
    package var trigger: RetrainTrigger
    /// One line: `online accuracy 0.81 of r2 is below 0.9 on 240 labelled rows`.
    package var summary: String
    /// `accuracy`: the metric, its online value, the threshold and the labelled rows.
    package var metric: String?
    package var value: Double?
    package var threshold: Double?
    package var rows: Int?
    /// `dataChange`: the new content hash.
    package var sha256: String?

    package init(trigger: RetrainTrigger, summary: String, metric: String? = nil, value: Double? = nil, threshold: Double? = nil,
                rows: Int? = nil, sha256: String? = nil) {
        self.trigger = trigger
        self.summary = summary
        self.metric = metric
        self.value = value
        self.threshold = threshold
        self.rows = rows
        self.sha256 = sha256
    }
}

/// What the monitor keeps of a model between checks, stored with its observation: a
/// restarted daemon keeps the cooldown.
package struct RetrainState: Sendable, Hashable, Codable {
    /// When the triggers were last checked.
    package var checkedAt: Date?
    /// When a retraining last fired (`RetrainTriggered`): the cooldown runs from it.
    package var triggeredAt: Date?
    /// A cron firing not acted on yet (waiting for rows or the cooldown).
    package var scheduleDue: Date?
    /// What the last check said: the `Retrain` condition's message.
    package var waiting: String?
    /// The data hash the last retraining read (`dataChange` fires once per new content).
    package var lastDataSha256: String?
    /// The last retraining's candidate and its verdict.
    package var candidate: RetrainCandidate?

    package init(checkedAt: Date? = nil, triggeredAt: Date? = nil, scheduleDue: Date? = nil, waiting: String? = nil,
                lastDataSha256: String? = nil, candidate: RetrainCandidate? = nil) {
        self.checkedAt = checkedAt
        self.triggeredAt = triggeredAt
        self.scheduleDue = scheduleDue
        self.waiting = waiting
        self.lastDataSha256 = lastDataSha256
        self.candidate = candidate
    }
}
