import Foundation
import SextantAPI
import SextantCore

/// `sextant get MODEL` as text, in the manner of Argo Rollouts' `get rollout`: a summary,
/// then the steps, the analysis, the traffic, the replicas and the events, each cut to the
/// width when there is one.
enum ModelDetailRenderer {
    static func text(_ detail: ModelDetail, now: Date, width: Int?) -> String {
        let object = detail.model
        let fields = object.model ?? ObjectStatus.ModelFields()
        let rollout = fields.rollout
        var summary: [(String, String)] = [
            ("Name", object.name),
            ("Status", "\(object.health.rawValue), \(object.sync.rawValue), \(object.phase.rawValue)"),
            ("Message", object.message),
        ]
        if let rollout {
            summary.append(("Strategy", rollout.strategy + (rollout.policy.map { " (policy \($0))" } ?? "")))
        }
        summary.append(("Stable", revision(fields.stableVersion, fields.stableRevision)))
        if fields.candidateVersion != nil || fields.candidateRevision != nil {
            summary.append(("Candidate", revision(fields.candidateVersion, fields.candidateRevision)))
        }
        if let rollout { summary.append(("Step", step(rollout, now: now))) }
        summary.append(("Commit", StatusRenderer.header(StatusDocument(revision: detail.revision, objects: []), now: now).first ?? "-"))
        var lines = summary.map { "\($0.0 + ":")".padded(to: 11) + $0.1 }

        let stalls = object.conditions.filter { $0.status != "False" && $0.type != "Analysis" }
        if !stalls.isEmpty {
            lines += section("Conditions", [["TYPE", "REASON", "MESSAGE"]] + stalls.map { [$0.type, $0.reason, $0.message] }, width: width)
        }
        if let rollout {
            lines += section("Steps", steps(rollout), width: width)
            lines += section("Analysis: " + analysisSummary(rollout), objectives(rollout), width: width)
        }
        if !fields.traffic.isEmpty { lines += section("Traffic", traffic(fields.traffic), width: width) }
        if !fields.replicas.isEmpty { lines += section("Replicas", replicas(fields.replicas, now: now), width: width) }
        if !fields.online.isEmpty { lines += section("Online (labelled production rows)", online(fields.online), width: width) }
        if let live = fields.liveContract, !live.violations.isEmpty {
            lines += section("Live data contract (the newest \(live.rows) logged rows)", liveContract(live), width: width)
        }
        if let drift = fields.drift { lines += ["", "Drift:", "  " + DriftRenderer.heading(drift, now: now), "  " + DriftRenderer.summary(drift)] }
        let events = [["AGE", "REASON", "MESSAGE"]] + detail.events.reversed().map { event in
            [StatusRenderer.age(from: event.time, to: now), event.reason.rawValue, event.message + (event.actor == "sextant" ? "" : " (by \(event.actor))")]
        }
        lines += detail.events.isEmpty ? ["", "Events: none yet"] : section("Events (newest first)", events, width: width)
        if let width { lines = lines.map { $0.fitted(to: width) } }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A blank line, the title, and the rows as a table indented by two, its last column
    /// (the free text) giving way to fit.
    private static func section(_ title: String, _ rows: [[String]], width: Int?) -> [String] {
        let last = (rows.first?.count ?? 1) - 1
        let table = TextTable.lines(rows, width: width.map { $0 - 2 }, shrinking: [.init(column: last, floor: 8)])
        return ["", title + ":"] + table.map { "  " + $0 }
    }

    private static func revision(_ version: Int?, _ revision: Int?) -> String {
        switch (version, revision) {
        case (let version?, let revision?): "v\(version) (r\(revision))"
        case (let version?, nil): "v\(version) (no revision yet)"
        case (nil, let revision?): "r\(revision)"
        case (nil, nil): "none"
        }
    }

    /// `1/2 for 12s; pause 18s left of 30s; gives up in 9m48s if still inconclusive`.
    private static func step(_ rollout: RolloutStatus, now: Date) -> String {
        var text = "\(rollout.step)/\(rollout.steps) for \(StatusRenderer.age(from: rollout.stepStartedAt, to: now))"
        let current = rollout.policySteps?.first { $0.state == .current }
        if rollout.paused {
            text += "; paused: waiting for `sextant promote` or `sextant abort`"
        } else if let until = rollout.pauseUntil, let pause = current?.pauseSeconds {
            let left = Int(until.timeIntervalSince(now).rounded(.up))
            text += left > 0 ? "; pause \(ManifestDuration.describe(Double(left))) left of \(ManifestDuration.describe(pause))"
                : "; pause of \(ManifestDuration.describe(pause)) over: advances when its analysis passes"
        } else if current?.untilPromoted == true {
            text += "; waits for `sextant promote` once its analysis passes"
        } else {
            text += "; advances as soon as its analysis passes"
        }
        if let deadline = rollout.stepDeadline, !rollout.paused, rollout.verdict == Verdict.inconclusive.rawValue {
            let left = Int(deadline.timeIntervalSince(now).rounded(.up))
            if left > 0 { text += "; still inconclusive in \(ManifestDuration.describe(Double(left))), it stops waiting" }
        }
        return text
    }

    private static func steps(_ rollout: RolloutStatus) -> [[String]] {
        guard let steps = rollout.policySteps, !steps.isEmpty else {
            return [["► \(rollout.step)", rollout.phase.rawValue, "\(rollout.weight)%", ""]]
        }
        return steps.map { step in
            let mark = switch step.state {
            case .done: "✔"
            case .current: "►"
            case .pending: "○"
            }
            let share = step.mirrorPercent.map { "\($0)% mirrored" } ?? "\(step.weight)%"
            let hold = step.untilPromoted ? "pause until promoted" : step.pauseSeconds.map { "pause \(ManifestDuration.describe($0))" } ?? ""
            return ["\(mark) \(step.number)", step.phase.rawValue, share, hold]
        }
    }

    private static func analysisSummary(_ rollout: RolloutStatus) -> String {
        var text = rollout.verdict ?? "not judged yet"
        if let limit = rollout.failureLimit { text += ", \(rollout.failures) failed verdict\(rollout.failures == 1 ? "" : "s") of \(limit) allowed" }
        if rollout.objectives.isEmpty { text += "; no SLO to judge: steps advance on time alone" }
        return text
    }

    private static func objectives(_ rollout: RolloutStatus) -> [[String]] {
        [["SLO", "VALUE", "TARGET", "SAMPLES", "BAD", "VERDICT", "OBJECTIVE"]] + rollout.objectives.map { objective in
            [objective.slo, objective.value.map(percent) ?? "-", percent(objective.target), "\(min(objective.samples, objective.required))/\(objective.required)",
             "\(objective.bad)", objective.verdict, objective.objective]
        }
    }

    private static func traffic(_ entries: [TrafficEntry]) -> [[String]] {
        var rows = [["REVISION", "VERSION", "ROLE", "WEIGHT", "REQUESTS", "ERRORS", "P99", "CPU", "MEMORY", "ROUTE"]]
        for entry in entries {
            let share: String = entry.role == "header" ? "-" : entry.mirrorPercent.map { "mirror \($0)%" } ?? "\(entry.weight)%"
            let requests: String = entry.requests.map { String($0) } ?? "-"
            let errors: String = entry.errors.map { String($0) } ?? "-"
            let p99: String = entry.p99Milliseconds.map { String(format: "%.1f ms", $0) } ?? "-"
            let route: String = entry.headerRoute.map { "header \($0.name): \($0.value)" } ?? ""
            let cpu: String = entry.resources.map(ResourceText.cpu) ?? "-"
            let memory: String = entry.resources.map { ResourceText.bytes($0.residentBytes) } ?? "-"
            rows.append(["r\(entry.revision)", "v\(entry.version)", entry.role, share, requests, errors, p99, cpu, memory, route])
        }
        return rows
    }

    /// Per revision: rows, labelled rows, coverage, and its metrics by name.
    private static func online(_ revisions: [OnlineRevision]) -> [[String]] {
        [["REVISION", "ROWS", "LABELLED", "COVERAGE", "METRICS"]] + revisions.map { online in
            ["r\(online.revision)", "\(online.rows)", "\(online.labelledRows)", online.coverage.map(percent) ?? "-",
             online.metrics.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.4f", $0.value))" }.joined(separator: ", ")]
        }
    }

    private static func liveContract(_ live: LiveContractStatus) -> [[String]] {
        [["COLUMN", "RULE", "ROWS", "SINCE START"]] + live.violations.map { [$0.column, $0.rule, "\($0.rows)", "\($0.total)"] }
    }

    private static func replicas(_ replicas: [ReplicaStatus], now: Date) -> [[String]] {
        [["REVISION", "ROLE", "#", "PID", "PORT", "STATE", "CRASHES", "CPU", "MEMORY", "AGE", "LOG"]] + replicas.map { replica in
            ["r\(replica.revision)", replica.role, "\(replica.index)", runtimeField("pid", of: replica), runtimeField("port", of: replica),
             replica.state.rawValue + (replica.detail.map { " (\($0))" } ?? ""), "\(replica.crashes)",
             replica.resources.map { ResourceText.seconds($0.cpuSeconds) } ?? "-", replica.resources.map { ResourceText.bytes($0.residentBytes) } ?? "-",
             StatusRenderer.age(from: replica.startedAt, to: now), replica.log]
        }
    }

    /// A field the runtime shows of a replica (the embedded runtime: `pid`, `port`), `-` when it has none.
    private static func runtimeField(_ name: String, of replica: ReplicaStatus) -> String {
        switch replica.runtime[name] {
        case .integer(let value)?: String(value)
        case .number(let value)? where value == value.rounded() && abs(value) < 1e15: String(Int64(value))
        case .number(let value)?: String(value)
        case .string(let value)?: value
        case .bool(let value)?: String(value)
        case .null?, .array?, .object?, nil: "-"
        }
    }

    /// `99.5%`, `100%`, `97.25%`.
    private static func percent(_ fraction: Double) -> String {
        let value = (fraction * 10_000).rounded() / 100
        return (value.rounded() == value ? String(Int(value)) : String(value)) + "%"
    }
}
