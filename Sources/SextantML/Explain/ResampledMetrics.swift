#if canImport(Glibc)
import Glibc
#endif

/// A task's metrics on resamples of a fixed set of rows, each resample given as how many
/// times it drew every row, so a bootstrap needs no string work and no allocation per
/// resample. The definitions are `TaskMetrics`'s (and so scikit-learn's): a metric on
/// counts equals `TaskMetrics` on the rows repeated that many times (ExplainBootstrapTests).
struct ResampledMetrics {
    private enum Rows {
        /// Per row: the truth is the positive class, the prediction is, the positive
        /// class's score and log-loss; `order` sorts rows by score, highest first, and
        /// `closesTie` marks the last row (in that order) of each distinct score.
        case binary(actual: [Bool], predicted: [Bool], scores: Scores?)
        /// Labels as indices into every label the truth, the predictions and the classes hold;
        /// per row, the log-loss of the true class.
        case multiclass(truth: [Int], predicted: [Int], labels: Int, losses: [Double]?)
        /// Per row, the truth and the prediction.
        case regression(actual: [Double], predicted: [Double])
    }

    private struct Scores {
        var order: [Int]
        var closesTie: [Bool]
        var losses: [Double]
    }

    private let rows: Rows
    /// Scratch per-label sums (multiclass), reused across resamples.
    private var support: [Double] = [], predictedCount: [Double] = [], truePositives: [Double] = []

    /// The rows of `metrics`, or nil when the task's metrics are undefined on every resample
    /// (regression with a truth that is not a number).
    init?(_ metrics: TaskMetrics) {
        let count = metrics.truth.count
        switch metrics.task {
        case .binaryClassification:
            let positive = metrics.classes.last ?? "true"
            let actual = metrics.truth.map { $0 == positive }
            var scores: Scores?
            if let rows = metrics.scores {
                let positiveScores = rows.map { $0.last ?? .nan }
                let order = positiveScores.indices.sorted { positiveScores[$0] > positiveScores[$1] }
                let closesTie = order.indices.map { $0 == count - 1 || positiveScores[order[$0 + 1]] != positiveScores[order[$0]] }
                let losses = zip(actual, positiveScores).map { truth, score in BinaryMetrics.logLoss([truth], [score]) }
                scores = Scores(order: order, closesTie: closesTie, losses: losses)
            }
            rows = .binary(actual: actual, predicted: metrics.labels.map { $0 == positive }, scores: scores)
        case .multiclassClassification:
            var index: [String: Int] = [:]
            for label in metrics.classes + metrics.truth + metrics.labels where index[label] == nil { index[label] = index.count }
            let losses = metrics.scores.map { probabilities in
                zip(metrics.truth, probabilities).map { MulticlassMetrics.logLoss([$0], classes: metrics.classes, probabilities: [$1]) }
            }
            rows = .multiclass(truth: metrics.truth.map { index[$0]! }, predicted: metrics.labels.map { index[$0]! }, labels: index.count, losses: losses)
            support = [Double](repeating: 0, count: index.count)
            predictedCount = support
            truePositives = support
        case .regression:
            let actual = metrics.truth.compactMap(Double.init)
            guard actual.count == count else { return nil }
            rows = .regression(actual: actual, predicted: metrics.labels.map { Double($0) ?? .nan })
        }
    }

    /// Every metric of the task defined on the resample that drew row `i` `counts[i]` times
    /// (AUC with one class is not).
    mutating func values(counts: [Int32]) -> [MetricName: Double] {
        var values: [MetricName: Double] = [:]
        var total = 0.0
        for count in counts { total += Double(count) }
        switch rows {
        case .binary(let actual, let predicted, let scores):
            var tp = 0.0, fp = 0.0, tn = 0.0, fn = 0.0
            for row in counts.indices where counts[row] > 0 {
                let weight = Double(counts[row])
                switch (actual[row], predicted[row]) {
                case (true, true): tp += weight
                case (false, true): fp += weight
                case (false, false): tn += weight
                case (true, false): fn += weight
                }
            }
            values[.accuracy] = (tp + tn) / max(1, total)
            values[.precision] = tp + fp == 0 ? 0 : tp / (tp + fp)
            values[.recall] = tp + fn == 0 ? 0 : tp / (tp + fn)
            values[.f1] = 2 * tp + fp + fn == 0 ? 0 : 2 * tp / (2 * tp + fp + fn)
            guard let scores else { return values }
            let curve = Self.curve(scores, actual: actual, counts: counts)
            values[.auc] = curve.auc
            values[.prAuc] = curve.averagePrecision
            var loss = 0.0
            for row in counts.indices where counts[row] > 0 { loss += Double(counts[row]) * scores.losses[row] }
            values[.logLoss] = loss / max(1, total)
        case .multiclass(let truth, let predicted, let labels, let losses):
            for label in 0..<labels {
                support[label] = 0
                predictedCount[label] = 0
                truePositives[label] = 0
            }
            var loss = 0.0
            for row in counts.indices where counts[row] > 0 {
                let weight = Double(counts[row])
                support[truth[row]] += weight
                predictedCount[predicted[row]] += weight
                if truth[row] == predicted[row] { truePositives[truth[row]] += weight }
                if let losses { loss += weight * losses[row] }
            }
            var correct = 0.0, present = 0.0, f1Sum = 0.0, weightedSum = 0.0
            for label in 0..<labels where support[label] > 0 || predictedCount[label] > 0 {
                let tp = truePositives[label]
                let denominator = support[label] + predictedCount[label]
                let f1 = denominator == 0 ? 0 : 2 * tp / denominator
                correct += tp
                present += 1
                f1Sum += f1
                weightedSum += f1 * support[label]
            }
            values[.accuracy] = correct / max(1, total)
            values[.macroF1] = present == 0 ? 0 : f1Sum / present
            values[.weightedF1] = total == 0 ? 0 : weightedSum / total
            if losses != nil { values[.logLoss] = loss / max(1, total) }
        case .regression(let actual, let predicted):
            var squares = 0.0, absolute = 0.0, sum = 0.0
            for row in counts.indices where counts[row] > 0 {
                let weight = Double(counts[row]), error = actual[row] - predicted[row]
                squares += weight * error * error
                absolute += weight * abs(error)
                sum += weight * actual[row]
            }
            let mean = sum / max(1, total)
            var spread = 0.0
            for row in counts.indices where counts[row] > 0 { spread += Double(counts[row]) * (actual[row] - mean) * (actual[row] - mean) }
            values[.rmse] = (squares / max(1, total)).squareRoot()
            values[.mae] = absolute / max(1, total)
            values[.r2] = spread == 0 ? (squares == 0 ? 1 : 0) : 1 - squares / spread
        }
        return values
    }

    /// ROC AUC and average precision of the resample, from one walk down the scores: the
    /// curve has a point at each distinct score the resample drew (`BinaryMetrics`'s).
    private static func curve(_ scores: Scores, actual: [Bool], counts: [Int32]) -> (auc: Double?, averagePrecision: Double?) {
        var positives = 0.0, negatives = 0.0
        for row in counts.indices where counts[row] > 0 {
            if actual[row] { positives += Double(counts[row]) } else { negatives += Double(counts[row]) }
        }
        var area = 0.0, precisionSum = 0.0
        var tp = 0.0, fp = 0.0, previousTP = 0.0, previousFP = 0.0, previousRecall = 0.0
        var drawnInTie = false
        for (position, row) in scores.order.enumerated() {
            let weight = Double(counts[row])
            if weight > 0 {
                if actual[row] { tp += weight } else { fp += weight }
                drawnInTie = true
            }
            guard scores.closesTie[position], drawnInTie else { continue }
            area += (fp - previousFP) * (tp + previousTP) / 2
            let recall = tp / positives
            precisionSum += (recall - previousRecall) * (tp / (tp + fp))
            previousRecall = recall
            previousTP = tp
            previousFP = fp
            drawnInTie = false
        }
        return (positives > 0 && negatives > 0 ? area / (positives * negatives) : nil, positives > 0 ? precisionSum : nil)
    }
}
