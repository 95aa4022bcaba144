import Foundation
import SextantWire
package import Logging
import SextantAPI
package import SextantCore
import SextantML
import SextantMonitoring

/// The embedded data plane's production signals: the prediction log and the feedback the
/// gateway writes under the state directory, read on from where the last pass stopped,
/// decoded into rows, joined, and measured (DESIGN §7). Reading and decoding run off the
/// cooperative pool.
package actor PredictionLogSignals: SignalSource {
    private let stateDirectory: String
    private let logger: Logger
    private var logs: [String: ProductionLog] = [:]
    /// Rows breaking each rule since this daemon started, by model, column and rule.
    private var violationTotals: [String: [ViolationKey: Int]] = [:]
    /// Each model's last drift report, the query it answered and the features the log
    /// hashed then: kept until `interval` passes.
    private var driftReports: [String: (query: DriftQuery, hashed: Set<String>, report: DriftReport)] = [:]
    /// Reference samples read, by version directory (read once while the version serves).
    private var references: [String: ReferenceSample] = [:]

    private struct ViolationKey: Hashable {
        var column: String
        var rule: String
    }

    package init(stateDirectory: String, logger: Logger = Logger(label: "sextant.signals")) {
        self.stateDirectory = stateDirectory
        self.logger = logger
    }

    package func observe(_ queries: [SignalQuery]) async -> [String: ModelSignals] {
        var signals: [String: ModelSignals] = [:]
        for query in queries {
            let log = logs[query.model] ?? ProductionLog(state: stateDirectory, model: query.model)
            let read = await offPool { Self.read(log, query) }
            switch read {
            case .failure(let error):
                logger.warning("cannot read the prediction log", metadata: ["model": "\(query.model)", "error": "\(error)"])
            case .success(let (log, measured)):
                logs[query.model] = log
                var drift: DriftReport?
                if let driftQuery = query.drift { drift = await self.drift(query, driftQuery, log: log) }
                guard let measured else {
                    if drift != nil || query.experiment != nil {
                        let experiment = query.experiment.map { ExperimentComputation.report(model: query.model, query: $0, rows: []) }
                        signals[query.model] = ModelSignals(drift: drift, experiment: experiment)
                    }
                    continue
                }
                var totals = violationTotals[query.model] ?? [:]
                for finding in measured.freshViolations {
                    totals[ViolationKey(column: finding.column, rule: finding.rule), default: 0] += finding.violations
                }
                violationTotals[query.model] = totals
                let live = measured.window.map { window in
                    LiveContractStatus(
                        rows: window.rows,
                        violations: totals.map { key, total in
                            let rows = window.findings.first { $0.column == key.column && $0.rule == key.rule }?.violations ?? 0
                            return LiveContractStatus.Violation(column: key.column, rule: key.rule, rows: rows, total: total)
                        }.sorted { ($0.column, $0.rule) < ($1.column, $1.rule) },
                        invalid: window.invalidMessage)
                }
                signals[query.model] = ModelSignals(online: measured.online, liveContract: live, drift: drift, experiment: measured.experiment)
            }
        }
        let serving = Set(queries.compactMap { $0.drift?.modelDirectory })
        references = references.filter { serving.contains($0.key) }
        return signals
    }

    package func labelledRows(_ query: SignalQuery) async -> [LabelledRow] {
        let log = logs[query.model] ?? ProductionLog(state: stateDirectory, model: query.model)
        let read = await offPool { () -> Result<(ProductionLog, [LabelledRow]), SegmentError> in
            var log = log
            let task = SextantML.ModelTask(rawValue: query.task.rawValue) ?? .regression
            do throws(SegmentError) {
                try log.readOn(signature: ModelSignature(features: query.features, task: task, classes: query.classes))
            } catch {
                return .failure(error)
            }
            let rows = log.joined.rows.compactMap { joined -> LabelledRow? in
                guard let truth = joined.truth else { return nil }
                let values = joined.prediction.values
                return LabelledRow(time: joined.prediction.time, revision: joined.prediction.revision, features: values.features.map(\.json),
                                   truth: truth.json, predict: values.predict?.json, probabilities: values.probabilities)
            }
            return .success((log, rows))
        }
        switch read {
        case .failure(let error):
            logger.warning("cannot read the prediction log", metadata: ["model": "\(query.model)", "error": "\(error)"])
            return []
        case .success(let (log, rows)):
            logs[query.model] = log
            return rows
        }
    }

    /// The model's drift: the last report while `interval` has not passed and the query is
    /// the same (version, revisions, settings, hashed features), else computed again off the
    /// cooperative pool.
    private func drift(_ query: SignalQuery, _ drift: DriftQuery, log: ProductionLog) async -> DriftReport {
        let now = Date()
        if let last = driftReports[query.model], last.query == drift, last.hashed == query.hashed, now.timeIntervalSince(last.report.computedAt) < drift.interval {
            return last.report
        }
        let cached = references[drift.modelDirectory]
        let state = stateDirectory
        let computed: Result<(ReferenceSample?, DriftReport), ReferenceError> = await offPool {
            do throws(ReferenceError) {
                var reference = cached
                if reference == nil { reference = try ReferenceSample.read(state: state, modelDirectory: drift.modelDirectory) }
                return .success((reference, DriftComputation.report(model: query.model, query: drift, task: query.task, reference: reference,
                                                                    rows: log.predictions, hashed: query.hashed, at: now)))
            } catch {
                return .failure(error)
            }
        }
        let report: DriftReport
        switch computed {
        case .success(let (reference, computedReport)):
            if let reference { references[drift.modelDirectory] = reference }
            report = computedReport
        case .failure(let error):
            logger.warning("cannot read the reference sample", metadata: ["model": "\(query.model)", "error": "\(error.message)"])
            report = .noVerdict(model: query.model, version: drift.version, revisions: drift.revisions, at: now, driftShare: drift.driftShare,
                                reason: "cannot read the reference sample: \(error.message)")
        }
        driftReports[query.model] = (drift, query.hashed, report)
        return report
    }

    /// What one read measured: nil when the model has no decoded row yet.
    private struct Measured: Sendable {
        var online: [OnlineRevision]
        /// The contract on the newest `window` rows (nil without `contract: observe`).
        var window: LiveContractReport?
        /// Violations among the rows decoded by this read.
        var freshViolations: [LiveContractFinding]
        /// The running experiment's numbers; nil without one.
        var experiment: ExperimentReport?
    }

    private static func read(_ log: ProductionLog, _ query: SignalQuery) -> Result<(ProductionLog, Measured?), SegmentError> {
        var log = log
        let task = SextantML.ModelTask(rawValue: query.task.rawValue) ?? .regression
        let signature = ModelSignature(features: query.features, task: task, classes: query.classes)
        let fresh: [PredictionRow]
        do throws(SegmentError) {
            fresh = try log.readOn(signature: signature)
        } catch {
            return .failure(error)
        }
        guard !log.predictions.isEmpty else { return .success((log, nil)) }
        let joined = log.joined.rows
        let online = OnlineMetrics.byRevision(joined, signature: signature, window: query.window).map { metrics in
            OnlineRevision(revision: metrics.revision, rows: metrics.rows, labelledRows: metrics.labelledRows, coverage: metrics.coverage,
                           metrics: Dictionary(metrics.metrics.compactMap { metric in metric.value.map { (metric.name.rawValue, $0) } },
                                               uniquingKeysWith: { first, _ in first }),
                           outcomes: metrics.outcomes.map { LabelledOutcome(time: $0.time, correct: $0.correct) })
        }
        var measured = Measured(online: online, window: nil, freshViolations: [],
                                experiment: query.experiment.map { ExperimentComputation.report(model: query.model, query: $0, rows: joined) })
        if let contract = query.contract {
            let check = LiveContractCheck(rules: contract.rules, features: query.features, hashed: query.hashed)
            measured.freshViolations = fresh.isEmpty ? [] : check.check(fresh.map(\.values.features)).violations
            measured.window = check.check(log.predictions.suffix(max(1, query.window)).map(\.values.features))
        }
        return .success((log, measured))
    }
}

extension RowValue {
    /// The value as the manifest API's JSON holds it.
    var json: JSONValue {
        switch self {
        case .integer(let value): .integer(value)
        case .number(let value): .number(value)
        case .boolean(let value): .bool(value)
        case .string(let value): .string(value)
        case .null: .null
        }
    }
}
