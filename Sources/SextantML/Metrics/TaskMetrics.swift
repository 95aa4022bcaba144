/// One metric's value on some rows; nil when it is undefined there (AUC with one class only).
package struct MetricValue: Sendable, Hashable {
    package var name: MetricName
    package var value: Double?

    package init(_ name: MetricName, _ value: Double?) {
        self.name = name
        self.value = value
    }
}

/// A task's metrics from a model's answers on rows whose truth is known: the one definition
/// `sextant train`, `sextant metrics` and the evaluation gates share (DESIGN §2).
///
/// Label metrics (accuracy, precision, recall, f1, macroF1, weightedF1, rmse, mae, r2 and the
/// fairness metrics) come from the labels the model answered; when it gave none, from its
/// scores: the positive class at a probability of 0.5 or more (binary), the most probable
/// class (multiclass), the value (regression). Score metrics (auc, prAuc, logLoss) come from
/// the scores and are undefined without them, never computed on hard labels.
package struct TaskMetrics: Sendable {
    package let task: ModelTask
    /// Class labels in `ClassOrder`; the last is a binary task's positive class.
    package let classes: [String]
    package let truth: [String]
    /// The predicted label of each row: the model's, or the one its scores give.
    package let labels: [String]
    /// Per row: class probabilities in `classes` order (classifiers) or `[value]` (regression).
    package let scores: [[Double]]?

    /// - Parameters:
    ///   - truth: each row's true label, written as the training data's labels are
    ///     (`ModelTrainer.labels`: `true`/`false`, numbers by `formatNumber`).
    ///   - labels: what the model predicted, when it said; nil to take them from `scores`.
    package init(task: ModelTask, classes: [String], truth: [String], labels: [String]?, scores: [[Double]]?) {
        self.task = task
        self.classes = classes
        self.truth = truth
        self.scores = scores
        self.labels = labels ?? Self.labels(task: task, classes: classes, scores: scores ?? [])
    }

    /// Every metric of the task, in the order `sextant train` prints them.
    package var values: [MetricValue] {
        switch task {
        case .binaryClassification:
            let actual = truth.map { $0 == positiveClass }, predicted = predictedPositive
            var values = [MetricValue(.auc, nil), MetricValue(.prAuc, nil)]
            let positiveScores = scores?.map { $0.last ?? .nan }
            if let positiveScores {
                values = [MetricValue(.auc, BinaryMetrics.auc(actual, positiveScores)),
                          MetricValue(.prAuc, BinaryMetrics.averagePrecision(actual, positiveScores))]
            }
            values += [MetricValue(.accuracy, BinaryMetrics.accuracy(actual, predicted)),
                       MetricValue(.precision, BinaryMetrics.precision(actual, predicted)),
                       MetricValue(.recall, BinaryMetrics.recall(actual, predicted)),
                       MetricValue(.f1, BinaryMetrics.f1(actual, predicted)),
                       MetricValue(.logLoss, positiveScores.map { BinaryMetrics.logLoss(actual, $0) })]
            return values
        case .multiclassClassification:
            return [MetricValue(.accuracy, MulticlassMetrics.accuracy(truth, labels)),
                    MetricValue(.macroF1, MulticlassMetrics.macroF1(truth, labels)),
                    MetricValue(.weightedF1, MulticlassMetrics.weightedF1(truth, labels)),
                    MetricValue(.logLoss, scores.map { MulticlassMetrics.logLoss(truth, classes: classes, probabilities: $0) })]
        case .regression:
            let actual = truth.compactMap(Double.init), predicted = labels.map { Double($0) ?? .nan }
            let defined = actual.count == predicted.count
            return [MetricValue(.rmse, defined ? RegressionMetrics.rmse(actual, predicted) : nil),
                    MetricValue(.mae, defined ? RegressionMetrics.mae(actual, predicted) : nil),
                    MetricValue(.r2, defined ? RegressionMetrics.r2(actual, predicted) : nil)]
        }
    }

    /// A fairness metric across the groups `sensitive` (one value per row) defines, on the
    /// predictions of the positive class; nil for a metric that is not a fairness one.
    package func fairness(_ metric: MetricName, sensitive: [String]) -> Double? {
        let actual = truth.map { $0 == positiveClass }, predicted = predictedPositive
        switch metric {
        case .demographicParityDifference: return FairnessMetrics.demographicParityDifference(actual, predicted, sensitive: sensitive)
        case .demographicParityRatio: return FairnessMetrics.demographicParityRatio(actual, predicted, sensitive: sensitive)
        case .equalizedOddsDifference: return FairnessMetrics.equalizedOddsDifference(actual, predicted, sensitive: sensitive)
        default: return nil
        }
    }

    /// The three fairness metrics across the groups of `sensitive`.
    package func fairness(sensitive: [String]) -> [MetricValue] {
        MetricName.allCases.filter(\.isFairness).map { MetricValue($0, fairness($0, sensitive: sensitive)) }
    }

    private var positiveClass: String { classes.last ?? "true" }

    private var predictedPositive: [Bool] { labels.map { $0 == positiveClass } }

    /// The labels scores give: the positive class at 0.5 or more, the most probable class
    /// (the first on ties), or the value.
    package static func labels(task: ModelTask, classes: [String], scores: [[Double]]) -> [String] {
        switch task {
        case .binaryClassification:
            let positive = classes.last ?? "true", negative = classes.count > 1 ? classes[0] : "false"
            return scores.map { ($0.last ?? 0) >= 0.5 ? positive : negative }
        case .multiclassClassification:
            return scores.map { row in
                let index = Predictions.mostProbable(row)
                return classes.indices.contains(index) ? classes[index] : ""
            }
        case .regression:
            return scores.map { formatNumber($0.first ?? .nan) }
        }
    }
}
