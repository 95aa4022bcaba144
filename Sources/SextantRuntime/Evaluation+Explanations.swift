import SextantAPI
import SextantCore
import SextantML

extension EmbeddedRuntime {
    /// Permutations per feature (DESIGN §9).
    static let importanceRepeats = 5
    /// Resamples of the holdout behind each confidence interval (DESIGN §9).
    static let bootstrapResamples = 1000
    /// The most holdout rows permuted (scikit-learn's `max_samples`): a larger holdout is
    /// explained on a seeded sample, so explaining costs at most 5 × features passes of this.
    static let importanceRows = 10_000

    /// A revision's explanations, or why there are none.
    struct Explained {
        var explanations: Explanations?
        var failure: String?
        /// How long the permuted holdouts and the SHAP pass took.
        var seconds: Double = 0
    }

    /// Permutation importance through the candidate's own server (DESIGN §9): for each
    /// feature and repeat, the holdout is sent again with that feature's column permuted
    /// (seeded from the split seed) and scored like the gates score it. Built-in models also
    /// answer their exact SHAP values, summarised as each feature's mean absolute value.
    /// Never throws: what cannot be computed is recorded, and fails the gates only where
    /// `evaluation.explainability` is `required`.
    func explain(_ job: EvaluationJob, answers: Answers, truth: [String], endpoint: String, data: ModelData) async -> Explained {
        let started = ContinuousClock.now
        var explained = await permutationImportance(job, answers: answers, truth: truth, endpoint: endpoint, data: data)
        explained.seconds = (ContinuousClock.now - started).seconds
        return explained
    }

    private func permutationImportance(_ job: EvaluationJob, answers: Answers, truth: [String], endpoint: String, data: ModelData) async -> Explained {
        let metric = Self.importanceMetric(job.data.task, gates: job.gates)
        // A larger holdout is explained on a seeded sample of its rows (the answers already
        // given for them are the baseline's).
        var data = data, answers = answers, truth = truth
        if data.holdout.count > Self.importanceRows {
            let positions = Self.sample(Self.importanceRows, of: data.holdout.count, seed: job.data.splitSeed)
            data = data.holdoutSample(positions)
            answers = answers.rows(positions)
            truth = positions.map { truth[$0] }
        }
        guard let baseline = Self.score(answers, metric: metric, task: job.data.task, truth: truth) else {
            return Explained(failure: "\(metric.rawValue), the metric importance is scored by, is undefined on the holdout")
        }
        let plan = PermutationPlan(rows: data.holdout.count, features: job.data.features.count, repeats: Self.importanceRepeats,
                                   seed: job.data.splitSeed)
        var importances: [FeatureImportance] = []
        for (index, feature) in job.data.features.enumerated() {
            var scores: [Double] = []
            for repetition in 0..<Self.importanceRepeats {
                let permuted: Answers
                do throws(ActionError) {
                    permuted = try await infer(endpoint: endpoint, launch: job.launch, data: data, spec: job.data, classes: data.classes,
                                               permuted: (index, plan.permutation(feature: index, repeat: repetition)))
                } catch {
                    return Explained(failure: "the holdout with \(feature.name) permuted: \(error.message)")
                }
                guard let score = Self.score(permuted, metric: metric, task: job.data.task, truth: truth) else {
                    return Explained(failure: "\(metric.rawValue) is undefined on the holdout with \(feature.name) permuted")
                }
                scores.append(score)
            }
            let importance = PermutationPlan.importance(baseline: baseline, permuted: scores, lowerIsBetter: metric.lowerIsBetter)
            importances.append(FeatureImportance(feature: feature.name, mean: importance.mean, std: importance.std))
        }
        importances.sort { $0.mean != $1.mean ? $0.mean > $1.mean : $0.feature < $1.feature }
        return Explained(explanations: Explanations(metric: metric.rawValue, repeats: Self.importanceRepeats, seed: job.data.splitSeed,
                                                    rows: data.holdout.count, importances: importances,
                                                    shap: await shap(job, endpoint: endpoint, data: data)))
    }

    /// Each feature's mean absolute SHAP value over the holdout, from the `explanation`
    /// output of Sextant's own server; nil for other servers or when it is not answered.
    private func shap(_ job: EvaluationJob, endpoint: String, data: ModelData) async -> [FeatureAttribution]? {
        guard job.launch.runtime == .builtin,
              let answers = try? await infer(endpoint: endpoint, launch: job.launch, data: data, spec: job.data, classes: data.classes, explain: true),
              let rows = answers.explanations, !rows.isEmpty else { return nil }
        return job.data.features.enumerated().map { index, feature in
            FeatureAttribution(feature: feature.name, meanAbsolute: rows.reduce(0) { $0 + abs($1[index]) } / Double(rows.count))
        }
    }

    /// `count` positions of `0..<total`, ascending, drawn without replacement by SplitMix64.
    static func sample(_ count: Int, of total: Int, seed: UInt64) -> [Int] {
        var generator = SplitMix64(seed: seed)
        var positions = Array(0..<total)
        for index in 0..<min(count, total) {
            positions.swapAt(index, index + Int(generator.next() % UInt64(total - index)))
        }
        return positions.prefix(count).sorted()
    }

    /// The metric permuted holdouts are scored by: the first gate's that is not a fairness
    /// metric and fits the task, else `auc` (binary), `accuracy` (multiclass), `r2` (regression).
    static func importanceMetric(_ task: SextantAPI.ModelTask, gates: [Gate]) -> SextantAPI.MetricName {
        if let gate = gates.first(where: { !$0.metric.isFairness && $0.sensitiveFeature == nil && $0.metric.tasks.contains(task) }) {
            return gate.metric
        }
        return switch task {
        case .binaryClassification: .auc
        case .multiclassClassification: .accuracy
        case .regression: .r2
        }
    }

    /// `metric` of some answers, when it is defined and finite.
    static func score(_ answers: Answers, metric: SextantAPI.MetricName, task: SextantAPI.ModelTask, truth: [String]) -> Double? {
        defined(answers.metrics(task, truth: truth).values)[metric.rawValue]
    }

    /// 95% bootstrap intervals of every metric defined on the holdout (DESIGN §9).
    static func intervals(_ answers: Answers, task: SextantAPI.ModelTask, truth: [String], seed: UInt64) -> MetricIntervals? {
        let computed = BootstrapIntervals.compute(task: SextantML.ModelTask(task), classes: answers.classes, truth: truth, labels: answers.labels,
                                                  scores: answers.probabilities, resamples: bootstrapResamples, confidence: 0.95, seed: seed)
        guard !computed.isEmpty else { return nil }
        var intervals: [String: MetricInterval] = [:]
        for (metric, interval) in computed { intervals[metric.rawValue] = MetricInterval(lower: interval.lower, upper: interval.upper) }
        return MetricIntervals(confidence: 0.95, resamples: bootstrapResamples, seed: seed, intervals: intervals)
    }

    /// The most slices a sensitive feature gets; the rows of its rarer values form one
    /// slice, `(other)`, so a feature of many values (an age, an id) stays readable.
    static let maxSlices = 20

    /// The task's metrics on the holdout rows of each value of each sensitive feature
    /// (`columns`: the feature and its value in every holdout row), values in sorted order;
    /// beyond `maxSlices` values, the largest slices and `(other)` for the rest.
    static func slices(_ answers: Answers, task: SextantAPI.ModelTask, truth: [String], by columns: [(String, [String])]) -> [SliceMetrics]? {
        guard !columns.isEmpty else { return nil }
        var slices: [SliceMetrics] = []
        for (feature, values) in columns {
            var rowsByValue: [String: [Int]] = [:]
            for (row, value) in values.enumerated() { rowsByValue[value, default: []].append(row) }
            var groups = rowsByValue.sorted { $0.key < $1.key }.map { (value: $0.key, rows: $0.value) }
            if groups.count > maxSlices {
                let largest = groups.sorted { $0.rows.count != $1.rows.count ? $0.rows.count > $1.rows.count : $0.value < $1.value }
                let kept = Set(largest.prefix(maxSlices - 1).map(\.value))
                let other = groups.filter { !kept.contains($0.value) }.flatMap(\.rows).sorted()
                groups = groups.filter { kept.contains($0.value) } + [(value: "(other)", rows: other)]
            }
            for (value, rows) in groups {
                let subset = answers.rows(rows)
                let metrics = defined(subset.metrics(task, truth: rows.map { truth[$0] }).values)
                slices.append(SliceMetrics(feature: feature, value: value, rows: rows.count, metrics: metrics))
            }
        }
        return slices
    }
}
