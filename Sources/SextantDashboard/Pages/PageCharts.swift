import Foundation
import SextantAPI
import SextantCore

/// The charts of the pages, from status and the registry: the mapping of Sextant's records
/// onto the plain numbers `Charts/` draws.
enum PageCharts {
    /// The split now: one segment per revision with its weight, a shadow's mirror percent.
    static func split(_ traffic: [TrafficEntry], model: String) -> String {
        guard !traffic.isEmpty else { return "" }
        let segments = traffic.map { entry in
            TrafficSplitBar.Segment(label: "r\(entry.revision) (v\(entry.version)) \(entry.role)", role: TrafficRole(rawValue: entry.role) ?? .other,
                                    weightPercent: Double(entry.weight), mirrorPercent: entry.mirrorPercent.map(Double.init))
        }
        return TrafficSplitBar(id: "split-\(model)", segments: segments).svg
    }

    /// When each revision served, at its peak weight: from the registry's served intervals.
    static func history(_ registry: ModelRegistry?, model: String, now: Date) -> String {
        guard let registry else { return "" }
        var points: [TrafficHistoryChart.Point] = []
        var roles: [String: TrafficRole] = [:]
        for revision in registry.revisions {
            let label = "r\(revision.number)"
            for interval in revision.served {
                points.append(TrafficHistoryChart.Point(date: interval.from, revision: label, weightPercent: Double(interval.peakWeight)))
                if let until = interval.until { points.append(TrafficHistoryChart.Point(date: until, revision: label, weightPercent: 0)) }
            }
            roles[label] = revision.served.last?.until == nil ? (revision.served.last?.wasStable == true ? .stable : .candidate) : .other
        }
        guard !points.isEmpty else { return "" }
        return TrafficHistoryChart(id: "history-\(model)", title: "When each revision served, at its peak weight", points: points.sorted { $0.date < $1.date },
                                   roles: roles, now: now).svg
    }

    /// The rollout's steps with the current one marked, and the analysis verdict.
    static func steps(_ rollout: RolloutStatus, model: String) -> String {
        let steps = (rollout.policySteps ?? []).map { step in
            let label = step.mirrorPercent.map { "\(step.phase.rawValue) \($0)%" } ?? "\(step.weight)%"
            let state: RolloutStepsTrack.StepState = switch step.state {
            case .done: .done
            case .current: rollout.verdict == "Failed" ? .failed : .current
            case .pending: .pending
            }
            let detail = step.untilPromoted ? "until promoted" : step.pauseSeconds.map { ManifestDuration.describe($0) }
            return RolloutStepsTrack.Step(label: label, state: state, detail: detail)
        }
        guard !steps.isEmpty else { return "" }
        let verdict = rollout.verdict.flatMap { RolloutStepsTrack.Verdict(rawValue: $0.lowercased()) }
        return RolloutStepsTrack(id: "steps-\(model)", steps: steps, verdict: verdict,
                                 verdictDetail: rollout.objectives.map { "\($0.slo) \($0.verdict.lowercased())" }.joined(separator: ", ")).svg
    }

    /// One objective's error budget.
    static func budget(_ objective: RolloutStatus.ObjectiveStatus, id: String) -> String {
        BudgetBar(id: id, objective: objective.objective, target: objective.target, remainingFraction: ObjectiveRow.budgetLeft(objective) ?? .nan).svg
    }

    /// An experiment's difference with its intervals; a proportion in percentage points.
    static func experiment(_ report: ExperimentReport) -> String {
        let scale = report.kind == .proportion ? 100.0 : 1.0
        func interval(_ bounds: [Double]?) -> IntervalPlot.Interval? {
            guard let bounds, bounds.count == 2 else { return nil }
            return IntervalPlot.Interval(lower: bounds[0] * scale, upper: bounds[1] * scale)
        }
        return IntervalPlot(id: "experiment-\(report.model)", title: "\(report.kpi): candidate − stable", difference: report.difference.map { $0 * scale },
                            fixedHorizon: interval(report.ci), alwaysValid: interval(report.sequentialCi),
                            deciding: report.sequential ? .alwaysValid : .fixedHorizon, unit: report.kind == .proportion ? " pp" : "",
                            confidence: "\(Int(((1 - report.alpha) * 100).rounded()))%").svg
    }

    /// Every version and revision on a time axis.
    static func timeline(_ registry: ModelRegistry?, model: String) -> String {
        guard let registry, !registry.versions.isEmpty else { return "" }
        var entries = registry.versions.map { version in
            VersionTimeline.Entry(date: version.createdAt, label: "v\(version.number)", detail: "trained by \(version.trainer) at \(Format.commit(version.commit))",
                                  kind: .version)
        }
        for revision in registry.revisions {
            entries.append(VersionTimeline.Entry(date: revision.createdAt, label: "r\(revision.number)", detail: "serves v\(revision.version)",
                                                 kind: revision.wasStable ? .promoted : .revision))
        }
        return VersionTimeline(id: "timeline-\(model)", entries: entries.sorted { $0.date < $1.date }).svg
    }
}
