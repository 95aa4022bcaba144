import Foundation
import SextantAPI
import SextantCore
import SextantML
import SextantMonitoring

/// An experiment's numbers from the joined prediction log (DESIGN §10): each KPI value
/// joined to the request it describes goes to the arm whose revision answered that request,
/// if it was answered since the experiment began. The decision stays `pending`: the planner
/// takes it.
enum ExperimentComputation {
    /// The report for `query` on `rows`.
    static func report(model: String, query: ExperimentQuery, rows: [JoinedRow]) -> ExperimentReport {
        let settings = query.settings
        var arms = [query.stable: Arm(), query.candidate: Arm()]
        var excluded = 0
        for row in rows where row.prediction.time >= query.since {
            guard let value = row.kpi[settings.kpi], arms[row.prediction.revision] != nil else { continue }
            if settings.kind == .proportion, value != 0, value != 1 {
                excluded += 1
                continue
            }
            arms[row.prediction.revision]!.add(value, unit: row.prediction.unit.map(Unit.hashed) ?? .request(row.prediction.requestId))
        }
        var report = query.emptyReport(model: model)
        report.excluded = excluded
        let stable = arms[query.stable]!
        let candidate = arms[query.candidate]!
        report.arms = [stable.arm(revision: query.stable, role: .stable), candidate.arm(revision: query.candidate, role: .candidate)]
        let kind = KPIValueKind(rawValue: settings.kind.rawValue) ?? .mean
        if let test = FixedHorizonTest.compare(kind: kind, candidate: candidate.values, stable: stable.values, alpha: settings.alpha) {
            report.difference = test.difference
            report.ci = [test.interval.lower, test.interval.upper]
            report.pValue = test.pValue
        } else if candidate.values.count > 0, stable.values.count > 0 {
            report.difference = candidate.values.mean - stable.values.mean
        }
        if settings.sequential,
           let sequence = ConfidenceSequence.compare(kind: kind, candidate: candidate.values, stable: stable.values, alpha: settings.alpha,
                                                     tuning: query.tuning) {
            report.sequentialCi = [sequence.interval.lower, sequence.interval.upper]
        }
        report.message = message(report, settings: settings)
        return report
    }

    /// Who a value is of: the gateway's hashed unit, or — without a unit header — the request.
    private enum Unit: Hashable {
        case hashed(UInt64)
        case request(String)
    }

    private struct Arm {
        var values = KPISummary()
        var units: Set<Unit> = []

        mutating func add(_ value: Double, unit: Unit) {
            values.add(value)
            units.insert(unit)
        }

        func arm(revision: Int, role: ExperimentArm.Role) -> ExperimentArm {
            ExperimentArm(revision: revision, role: role, units: units.count, n: values.count, mean: values.count > 0 ? values.mean : nil,
                          std: values.count > 1 ? values.standardDeviation : nil)
        }
    }

    /// Why there are no numbers yet, or what is still missing.
    private static func message(_ report: ExperimentReport, settings: ResolvedExperiment) -> String? {
        if report.arms.allSatisfy({ $0.n == 0 }) {
            return "no \(settings.kpi) values yet: send them as feedback with `kpi: {\(settings.kpi): …}` for the requests each arm answered"
        }
        let short = report.arms.filter { $0.n < settings.minSamples }
        if !short.isEmpty {
            return "collecting: " + short.map { "\($0.role.rawValue) r\($0.revision) has \($0.n) of \(settings.minSamples) values" }.joined(separator: ", ")
        }
        if (settings.sequential ? report.sequentialCi : report.ci) == nil {
            return "no interval: no \(settings.kpi) value varies within an arm yet"
        }
        return nil
    }
}
