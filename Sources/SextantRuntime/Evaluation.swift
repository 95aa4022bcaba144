import AsyncHTTPClient
package import Foundation
import NIOCore
import NIOHTTP1
import SextantAPI
package import SextantCore
import SextantInference
import SextantML
import SextantWire

extension EmbeddedRuntime {
    /// Evaluation through the serving path (DESIGN §5): a private server of the candidate
    /// answers the holdout over OIP v2 in batches; Sextant computes the metrics from the
    /// answers. The incumbent is a private server of the revision that serves, on the same rows.
    package func evaluate(_ job: EvaluationJob, at now: Date) async throws(ActionError) -> Evaluation {
        let bytes = try await readData(job.data.location)
        let data = try await offPool { () throws(ActionError) -> ModelData in try ModelData(job.data, bytes: bytes) }
        let truth = data.holdout.map { data.labels[$0]! }
        // The candidate's server answers the holdout, then the permuted holdouts (§9).
        let (answers, timing, explained) = try await withPrivateServer(job.launch, role: "evaluation", workspace: job.workspace, at: now) {
            endpoint, startup throws(ActionError) in
            let started = ContinuousClock.now
            let answers = try await infer(endpoint: endpoint, launch: job.launch, data: data, spec: job.data, classes: data.classes)
            let inference = (ContinuousClock.now - started).seconds
            let explained = await explain(job, answers: answers, truth: truth, endpoint: endpoint, data: data)
            return (answers, (startup: startup, inference: inference), explained)
        }
        let explaining = ContinuousClock.now
        if let state = stateDirectory, let labels = answers.predictedLabels {
            try Self.keepReferencePredictions(labels, state: state, modelDirectory: job.launch.modelDirectory)
        }
        let scored = answers.metrics(job.data.task, truth: truth)
        var metrics = Self.defined(scored.values)
        var gates: [GateResult] = []
        for gate in job.gates {
            var value = metrics[gate.metric.rawValue]
            if let feature = gate.sensitiveFeature, let metric = SextantML.MetricName(rawValue: gate.metric.rawValue) {
                value = scored.fairness(metric, sensitive: column(feature, data: data))
                metrics["\(gate.metric.rawValue)[\(feature)]"] = value
            }
            let passed = value.map { value in (gate.min.map { value >= $0 } ?? true) && (gate.max.map { value <= $0 } ?? true) } ?? false
            gates.append(GateResult(metric: gate.metric.rawValue, sensitiveFeature: gate.sensitiveFeature, value: value, min: gate.min, max: gate.max, passed: passed))
        }
        var incumbent: IncumbentResult?
        if let rule = job.incumbent {
            let theirs: Answers
            do throws(ActionError) {
                theirs = try await self.answers(of: rule.launch, role: "incumbent", workspace: rule.workspace, data: data, spec: job.data,
                                                classes: data.classes, at: now).answers
            } catch {
                // Not the candidate's fault: retried with backoff, never a stop.
                throw ActionError("the incumbent r\(rule.revision) could not answer the holdout: \(error.message)")
            }
            let metric = rule.rule.metric
            let candidate = metrics[metric.rawValue]
            let serving = Self.defined(theirs.metrics(job.data.task, truth: truth).values)[metric.rawValue]
            let allowed = rule.rule.maxRegression ?? 0
            var passed = false
            if let candidate, let serving {
                passed = metric.lowerIsBetter ? candidate <= serving + allowed + 1e-12 : candidate >= serving - allowed - 1e-12
            }
            incumbent = IncumbentResult(revision: rule.revision, metric: metric.rawValue, value: serving, candidate: candidate,
                                        maxRegression: allowed, passed: passed)
        }
        // Stamped when the answers were judged, not when the pass asked for them.
        let sensitive = Array(Set(job.gates.compactMap(\.sensitiveFeature))).sorted()
        let (intervals, slices) = await offPool {
            (Self.intervals(answers, task: job.data.task, truth: truth, seed: job.data.splitSeed),
             Self.slices(answers, task: job.data.task, truth: truth, by: sensitive.map { ($0, column($0, data: data)) }))
        }
        let explanationSeconds = explained.seconds + (ContinuousClock.now - explaining).seconds
        return Evaluation(fingerprint: job.fingerprint, metrics: metrics, gates: gates, incumbent: incumbent, holdoutRows: data.holdout.count,
                          seconds: timing.inference, startupSeconds: timing.startup, evaluatedAt: Date(),
                          explanations: explained.explanations, explanationFailure: explained.failure,
                          explanationsRequired: job.explainability == .required ? true : nil, intervals: intervals, slices: slices,
                          explanationSeconds: explanationSeconds)
    }

    /// What a server answers for the holdout: one label, or for classifiers the class
    /// probabilities, or both, per row.
    struct Answers {
        /// `predict`, when the server gives it.
        var labels: [String]?
        /// Probabilities per row, in sorted class order, when the server gives them.
        var probabilities: [[Double]]?
        var classes: [String]
        /// SHAP values per row, features in the model's order, when asked for and given.
        var explanations: [[Double]]? = nil

        /// The answers of some rows, by position.
        func rows(_ positions: [Int]) -> Answers {
            Answers(labels: labels.map { labels in positions.map { labels[$0] } },
                    probabilities: probabilities.map { scores in positions.map { scores[$0] } }, classes: classes,
                    explanations: explanations.map { rows in positions.map { rows[$0] } })
        }

        /// One label per row: `predict`, or the most probable class.
        var predictedLabels: [String]? {
            labels ?? probabilities.map { rows in
                rows.map { row in row.indices.max { row[$0] < row[$1] }.map { classes.indices.contains($0) ? classes[$0] : "" } ?? "" }
            }
        }

        /// The task's metrics of these answers (DESIGN §2 names).
        func metrics(_ task: SextantAPI.ModelTask, truth: [String]) -> TaskMetrics {
            TaskMetrics(task: SextantML.ModelTask(task), classes: classes, truth: truth, labels: labels, scores: probabilities)
        }
    }

    /// The metrics that have a finite value, by name (what gates and status read).
    static func defined(_ values: [MetricValue]) -> [String: Double] {
        var metrics: [String: Double] = [:]
        for metric in values { if let value = metric.value, value.isFinite { metrics[metric.name.rawValue] = value } }
        return metrics
    }

    /// The answers of a private server of `launch` (`role`: the candidate's `evaluation`
    /// instance, the `incumbent`'s, a retraining's `recency` one) to the holdout rows of
    /// `data`, typed by `spec`, and how long it took to get ready and to answer.
    func answers(of launch: ServingLaunch, role: String, workspace: Workspace?, data: ModelData, spec: TrainingData, classes: [String],
                 at now: Date) async throws(ActionError) -> (answers: Answers, timing: (startup: Double, inference: Double)) {
        try await withPrivateServer(launch, role: role, workspace: workspace, at: now) { endpoint, startup throws(ActionError) in
            let started = ContinuousClock.now
            let answers = try await infer(endpoint: endpoint, launch: launch, data: data, spec: spec, classes: classes)
            return (answers, (startup: startup, inference: (ContinuousClock.now - started).seconds))
        }
    }

    /// Runs `body` with the endpoint of a private server of `launch` and the seconds it took
    /// to get ready; the server is stopped afterwards, whatever happens.
    func withPrivateServer<Result>(_ launch: ServingLaunch, role: String, workspace: Workspace?, at now: Date,
                                   _ body: (String, Double) async throws(ActionError) -> Result) async throws(ActionError) -> Result {
        let started = ContinuousClock.now
        let server: PrivateServer
        if let privateServing {
            server = try await privateServing.startPrivate(launch, workspace: workspace, role: role, at: now)
        } else {
            let process = try await startServer(launch, workspace: workspace, role: role, index: 0, at: now).process
            do throws(ActionError) {
                server = PrivateServer(endpoint: process.endpoint, handle: try process.handle())
            } catch {
                await processes.stop(process.identity, grace: stopGrace)
                throw error
            }
        }
        let startup = (ContinuousClock.now - started).seconds
        do throws(ActionError) {
            let result = try await body(server.endpoint, startup)
            await stopPrivate(server)
            return result
        } catch {
            await stopPrivate(server)
            throw error
        }
    }

    private func stopPrivate(_ server: PrivateServer) async {
        if let privateServing {
            await privateServing.stopPrivate(server)
        } else if let process = LocalProcess(server.handle) {
            await processes.stop(process.identity, grace: stopGrace)
        }
    }

    /// The holdout in batches of `evaluationBatch` rows, with the tabular convention. With
    /// `permuted`, that feature's column is sent in the permutation's order (row i gets the
    /// value of holdout row `order[i]`); with `explain`, the answers' `explanation` output
    /// is read too.
    func infer(endpoint: String, launch: ServingLaunch, data: ModelData, spec: TrainingData, classes: [String],
               permuted: (feature: Int, order: [Int])? = nil, explain: Bool = false) async throws(ActionError) -> Answers {
        let classifier = spec.task != .regression
        let classes = classifier ? classes : []
        var labels: [String]? = []
        var probabilities: [[Double]]? = classifier ? [] : nil
        var explanations: [[Double]]? = explain ? [] : nil
        let columns = spec.features.map { feature in (feature, data.table.columnIndex(feature.name)) }
        let outputs = (classifier ? ["predict", "predict_proba"] : ["predict"]) + (explain ? ["explanation"] : [])
        for start in stride(from: 0, to: data.holdout.count, by: evaluationBatch) {
            let positions = start..<min(start + evaluationBatch, data.holdout.count)
            let inputs = columns.enumerated().map { position, column in
                let (feature, index) = column
                let rows = positions.map { row in
                    data.holdout[permuted.map { $0.feature == position ? $0.order[row] : row } ?? row]
                }
                return TabularRequestEncoder.Input(name: feature.name, datatype: feature.logicalType.tensorDatatype,
                                                   column: Self.tensorColumn(rows.map { row in index.flatMap { data.table.text(row: row, column: $0) } },
                                                                             type: feature.logicalType))
            }
            let body = TabularRequestEncoder(id: "sextant-evaluation-\(start)", contentType: "pd", inputs: inputs, outputs: outputs).encode()
            let answer = try await post(endpoint: endpoint, model: launch.model, body: body, revision: launch.revision)
            let batch = try Self.parse(answer, rows: positions.count, classes: classes, revision: launch.revision, targetType: spec.targetType,
                                       features: explain ? spec.features.count : nil)
            if let batchLabels = batch.labels { labels? += batchLabels } else { labels = nil }
            if let batchProbabilities = batch.probabilities { probabilities? += batchProbabilities } else { probabilities = nil }
            if let batchExplanations = batch.explanations { explanations? += batchExplanations } else { explanations = nil }
        }
        return Answers(labels: labels, probabilities: probabilities, classes: classes, explanations: explanations)
    }

    private func post(endpoint: String, model: String, body: [UInt8], revision: Int) async throws(ActionError) -> [UInt8] {
        var request = HTTPClientRequest(url: "\(endpoint)/v2/models/\(model)/infer")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
            let answer = try await response.body.collect(upTo: 512 << 20)
            let bytes = Array(answer.readableBytesView)
            guard response.status == .ok else {
                let text = String(decoding: bytes.prefix(600), as: UTF8.self)
                throw ActionError("r\(revision)'s server answered the holdout with HTTP \(response.status.code): \(text)", reason: "EvaluationFailed")
            }
            return bytes
        } catch let error as ActionError {
            throw error
        } catch {
            // A transport failure (reset, timeout): retried with backoff.
            throw ActionError("r\(revision)'s server failed while answering the holdout: \(error)")
        }
    }

    /// CSV fields as a tensor column of their logical type; what does not parse is null.
    static func tensorColumn(_ texts: [String?], type: LogicalType) -> TensorColumn {
        switch type {
        case .number, .integer:
            return .numbers(texts.map { text in
                if let text, case .number(let number)? = ColumnType.number.parse(text) { number } else { nil }
            })
        case .boolean:
            return .booleans(texts.map { text in
                if let text, case .boolean(let flag)? = ColumnType.boolean.parse(text) { flag } else { nil }
            })
        case .string, .date, .timestamp:
            return .texts(texts)
        }
    }

    /// Reads `predict` and `predict_proba` from an OIP answer (flat or nested data,
    /// `[N]` or `[N, 1]`), with the reader the model server's requests go through.
    static func parse(_ bytes: [UInt8], rows: Int, classes: [String], revision: Int, targetType: LogicalType,
                      features: Int? = nil) throws(ActionError) -> (labels: [String]?, probabilities: [[Double]]?, explanations: [[Double]]?) {
        let answer: InferenceMessage
        do {
            answer = try InferenceMessage(bytes, headerLength: nil, list: .outputs)
        } catch {
            throw ActionError("r\(revision)'s server answered the holdout with what Sextant cannot read: \(error.message): \(String(decoding: bytes.prefix(300), as: UTF8.self))",
                              reason: "EvaluationFailed")
        }
        var labels: [String]?
        var probabilities: [[Double]]?
        var explanations: [[Double]]?
        for output in answer.tensors {
            if output.name == "predict" {
                labels = Self.labels(output, targetType: targetType)
            } else if output.name == "predict_proba", !classes.isEmpty {
                guard case .numbers(let numbers) = output.values else { continue }
                let width = numbers.count / max(rows, 1)
                if width == classes.count, numbers.count == rows * width {
                    probabilities = (0..<rows).map { row in numbers[(row * width)..<((row + 1) * width)].map { $0 ?? .nan } }
                }
            } else if output.name == "explanation", let features, case .numbers(let numbers) = output.values, numbers.count == rows * features {
                explanations = (0..<rows).map { row in numbers[(row * features)..<((row + 1) * features)].map { $0 ?? .nan } }
            }
        }
        // Without `predict`, the labels are the probabilities' (`TaskMetrics`).
        let answered = labels?.count ?? probabilities?.count ?? 0
        guard answered == rows else {
            throw ActionError("r\(revision)'s server answered \(answered) predictions for \(rows) rows", reason: "EvaluationFailed")
        }
        return (labels, probabilities, explanations)
    }

    /// A `predict` tensor's values as labels: booleans as `true`/`false`, numbers as
    /// `formatNumber` writes them, a missing value as empty.
    private static func labels(_ output: DecodedTensor, targetType: LogicalType) -> [String] {
        switch output.values {
        case .texts(let texts):
            return texts.map { canonicalLabel($0 ?? "", targetType) }
        case .numbers(let numbers):
            return numbers.map { number in
                guard let number else { return canonicalLabel("", targetType) }
                return canonicalLabel(output.datatype == .bool ? (number != 0 ? "true" : "false") : formatNumber(number), targetType)
            }
        }
    }

    /// A label as the holdout's truth is written (`ModelTrainer.labels`): `1`, `True` and
    /// `true` are one boolean; `1.0` and `1` one number.
    static func canonicalLabel(_ text: String, _ type: LogicalType) -> String {
        switch type {
        case .boolean:
            if case .boolean(let flag)? = ColumnType.boolean.parse(text) ?? ColumnType.boolean.parse(text.lowercased()) { return flag ? "true" : "false" }
            if let number = Double(text) { return number != 0 ? "true" : "false" }
            return text
        case .number, .integer:
            if case .number(let number)? = ColumnType.number.parse(text) { return formatNumber(number) }
            return text
        default:
            return text
        }
    }

    func column(_ name: String, data: ModelData) -> [String] {
        guard let index = data.table.columnIndex(name) else { return data.holdout.map { _ in "" } }
        return data.holdout.map { data.table.text(row: $0, column: index) ?? "" }
    }
}

extension SextantML.ModelTask {
    /// The manifest's task: the same three.
    init(_ task: SextantAPI.ModelTask) {
        switch task {
        case .binaryClassification: self = .binaryClassification
        case .multiclassClassification: self = .multiclassClassification
        case .regression: self = .regression
        }
    }
}

extension LogicalType {
    /// `inferenceDatatype` as the datatype the tabular encoder writes.
    var tensorDatatype: TensorDatatype { TensorDatatype(rawValue: inferenceDatatype) ?? .bytes }
}
