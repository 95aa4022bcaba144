#if canImport(Glibc)
import Glibc
#endif

/// The metrics gates, history and status name (DESIGN §2), computed from predictions the
/// way scikit-learn and fairlearn compute them (golden values in Tests/SextantMLTests/Golden).
package enum MetricName: String, CaseIterable, Sendable, Hashable, Codable {
    case accuracy, precision, recall, f1, auc, prAuc, logLoss
    case macroF1, weightedF1
    case rmse, mae, r2
    case demographicParityDifference, demographicParityRatio, equalizedOddsDifference

    /// Fairness metrics need a `sensitiveFeature`.
    package var isFairness: Bool {
        self == .demographicParityDifference || self == .demographicParityRatio || self == .equalizedOddsDifference
    }
}

/// Binary classification: labels are `true` for the positive (second) class.
package enum BinaryMetrics {
    struct Counts {
        var tp = 0.0, fp = 0.0, tn = 0.0, fn = 0.0
        init(_ truth: [Bool], _ predicted: [Bool]) {
            for (actual, guess) in zip(truth, predicted) {
                switch (actual, guess) {
                case (true, true): tp += 1
                case (false, true): fp += 1
                case (false, false): tn += 1
                case (true, false): fn += 1
                }
            }
        }
    }

    package static func accuracy(_ truth: [Bool], _ predicted: [Bool]) -> Double {
        let c = Counts(truth, predicted)
        return (c.tp + c.tn) / Double(max(1, truth.count))
    }

    /// `tp / (tp + fp)`, 0 when nothing is predicted positive (scikit-learn's `zero_division=0`).
    package static func precision(_ truth: [Bool], _ predicted: [Bool]) -> Double {
        let c = Counts(truth, predicted)
        return c.tp + c.fp == 0 ? 0 : c.tp / (c.tp + c.fp)
    }

    package static func recall(_ truth: [Bool], _ predicted: [Bool]) -> Double {
        let c = Counts(truth, predicted)
        return c.tp + c.fn == 0 ? 0 : c.tp / (c.tp + c.fn)
    }

    package static func f1(_ truth: [Bool], _ predicted: [Bool]) -> Double {
        let c = Counts(truth, predicted)
        let denominator = 2 * c.tp + c.fp + c.fn
        return denominator == 0 ? 0 : 2 * c.tp / denominator
    }

    /// Area under the ROC curve by the trapezoidal rule over distinct score thresholds, so
    /// tied scores count half, as scikit-learn's `roc_auc_score`. nil with one class only.
    package static func auc(_ truth: [Bool], _ scores: [Double]) -> Double? {
        let curve = thresholdCurve(truth, scores)
        let positives = curve.last?.tp ?? 0, negatives = curve.last?.fp ?? 0
        guard positives > 0, negatives > 0 else { return nil }
        var area = 0.0
        var previous = (tp: 0.0, fp: 0.0)
        for point in curve {
            area += (point.fp - previous.fp) * (point.tp + previous.tp) / 2
            previous = point
        }
        return area / (positives * negatives)
    }

    /// Average precision: `Σ (Rₖ − Rₖ₋₁)·Pₖ` over distinct thresholds from the highest, as
    /// scikit-learn's `average_precision_score`. nil without positives.
    package static func averagePrecision(_ truth: [Bool], _ scores: [Double]) -> Double? {
        let curve = thresholdCurve(truth, scores)
        guard let positives = curve.last?.tp, positives > 0 else { return nil }
        var total = 0.0
        var previousRecall = 0.0
        for point in curve {
            let recall = point.tp / positives
            let precision = point.tp / (point.tp + point.fp)
            total += (recall - previousRecall) * precision
            previousRecall = recall
        }
        return total
    }

    /// Cumulative true and false positives at each distinct score, highest first.
    static func thresholdCurve(_ truth: [Bool], _ scores: [Double]) -> [(tp: Double, fp: Double)] {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var curve: [(tp: Double, fp: Double)] = []
        var tp = 0.0, fp = 0.0
        for (position, index) in order.enumerated() {
            if truth[index] { tp += 1 } else { fp += 1 }
            let isLastOfTie = position == order.count - 1 || scores[order[position + 1]] != scores[index]
            if isLastOfTie { curve.append((tp, fp)) }
        }
        return curve
    }

    /// Mean negative log-likelihood of the positive-class probabilities, clipped to
    /// `[ε, 1 − ε]` with ε the double's machine epsilon, as scikit-learn's `log_loss`.
    package static func logLoss(_ truth: [Bool], _ probabilities: [Double]) -> Double {
        let epsilon = Double.ulpOfOne
        var total = 0.0
        for (actual, probability) in zip(truth, probabilities) {
            let p = min(max(probability, epsilon), 1 - epsilon)
            total -= actual ? log(p) : log(1 - p)
        }
        return total / Double(max(1, truth.count))
    }
}

/// Multiclass classification over labels.
package enum MulticlassMetrics {
    package static func accuracy(_ truth: [String], _ predicted: [String]) -> Double {
        Double(zip(truth, predicted).filter { $0 == $1 }.count) / Double(max(1, truth.count))
    }

    /// Per-label F1 over the labels present in either list (scikit-learn's labels).
    static func perLabelF1(_ truth: [String], _ predicted: [String]) -> [(label: String, f1: Double, support: Double)] {
        let labels = Set(truth).union(predicted).sorted()
        return labels.map { label in
            var tp = 0.0, fp = 0.0, fn = 0.0, support = 0.0
            for (actual, guess) in zip(truth, predicted) {
                if actual == label { support += 1 }
                if guess == label, actual == label { tp += 1 } else if guess == label { fp += 1 } else if actual == label { fn += 1 }
            }
            let denominator = 2 * tp + fp + fn
            return (label, denominator == 0 ? 0 : 2 * tp / denominator, support)
        }
    }

    package static func macroF1(_ truth: [String], _ predicted: [String]) -> Double {
        let scores = perLabelF1(truth, predicted)
        return scores.isEmpty ? 0 : scores.reduce(0) { $0 + $1.f1 } / Double(scores.count)
    }

    package static func weightedF1(_ truth: [String], _ predicted: [String]) -> Double {
        let scores = perLabelF1(truth, predicted)
        let support = scores.reduce(0) { $0 + $1.support }
        return support == 0 ? 0 : scores.reduce(0) { $0 + $1.f1 * $1.support } / support
    }

    /// Mean negative log-likelihood of the true class; probabilities clipped to `[ε, 1 − ε]`
    /// and each row renormalised, as scikit-learn's `log_loss`.
    package static func logLoss(_ truth: [String], classes: [String], probabilities: [[Double]]) -> Double {
        let epsilon = Double.ulpOfOne
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        var total = 0.0
        for (actual, row) in zip(truth, probabilities) {
            let clipped = row.map { min(max($0, epsilon), 1 - epsilon) }
            let sum = clipped.reduce(0, +)
            guard let position = index[actual] else { total -= log(epsilon); continue }
            total -= log(clipped[position] / sum)
        }
        return total / Double(max(1, truth.count))
    }
}

/// Regression.
package enum RegressionMetrics {
    package static func rmse(_ truth: [Double], _ predicted: [Double]) -> Double {
        (zip(truth, predicted).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(max(1, truth.count))).squareRoot()
    }

    package static func mae(_ truth: [Double], _ predicted: [Double]) -> Double {
        zip(truth, predicted).reduce(0) { $0 + abs($1.0 - $1.1) } / Double(max(1, truth.count))
    }

    /// `1 − SSres/SStot`; with a constant truth, 1 for a perfect prediction and 0 otherwise
    /// (scikit-learn's `force_finite`).
    package static func r2(_ truth: [Double], _ predicted: [Double]) -> Double {
        let mean = truth.reduce(0, +) / Double(max(1, truth.count))
        let residual = zip(truth, predicted).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let total = truth.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        if total == 0 { return residual == 0 ? 1 : 0 }
        return 1 - residual / total
    }
}

/// Group fairness of binary predictions across the values of a sensitive column, as
/// fairlearn defines it.
package enum FairnessMetrics {
    struct Group {
        var count = 0.0, selected = 0.0, positives = 0.0, truePositives = 0.0, negatives = 0.0, falsePositives = 0.0
    }

    static func groups(_ truth: [Bool], _ predicted: [Bool], _ sensitive: [String]) -> [Group] {
        var groups: [String: Group] = [:]
        for index in predicted.indices {
            var group = groups[sensitive[index], default: Group()]
            group.count += 1
            if predicted[index] { group.selected += 1 }
            if truth[index] {
                group.positives += 1
                if predicted[index] { group.truePositives += 1 }
            } else {
                group.negatives += 1
                if predicted[index] { group.falsePositives += 1 }
            }
            groups[sensitive[index]] = group
        }
        return Array(groups.values)
    }

    /// Largest minus smallest selection rate (share predicted positive) over the groups.
    package static func demographicParityDifference(_ truth: [Bool], _ predicted: [Bool], sensitive: [String]) -> Double {
        let rates = groups(truth, predicted, sensitive).map { $0.selected / $0.count }
        return (rates.max() ?? 0) - (rates.min() ?? 0)
    }

    /// Smallest over largest selection rate; nil when no group has any positive prediction.
    package static func demographicParityRatio(_ truth: [Bool], _ predicted: [Bool], sensitive: [String]) -> Double? {
        let rates = groups(truth, predicted, sensitive).map { $0.selected / $0.count }
        guard let largest = rates.max(), largest > 0 else { return nil }
        return (rates.min() ?? 0) / largest
    }

    /// The larger of the true-positive-rate and false-positive-rate differences between groups
    /// (a group without positives, or negatives, has rate 0 for it).
    package static func equalizedOddsDifference(_ truth: [Bool], _ predicted: [Bool], sensitive: [String]) -> Double {
        let all = groups(truth, predicted, sensitive)
        let truePositiveRates = all.map { $0.positives == 0 ? 0 : $0.truePositives / $0.positives }
        let falsePositiveRates = all.map { $0.negatives == 0 ? 0 : $0.falsePositives / $0.negatives }
        func spread(_ values: [Double]) -> Double { (values.max() ?? 0) - (values.min() ?? 0) }
        return max(spread(truePositiveRates), spread(falsePositiveRates))
    }
}
