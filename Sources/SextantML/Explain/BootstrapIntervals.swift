/// Bootstrap confidence intervals of a task's metrics on a holdout (DESIGN §9): the holdout
/// rows resampled with replacement, every metric recomputed on each resample, and the
/// percentile interval of what the resamples gave.
package enum BootstrapIntervals {
    /// The interval of every metric of `TaskMetrics` that is defined on the holdout itself.
    ///
    /// Resample `r` draws `n` rows (`n` the holdout's size), each `next() % n` from one
    /// SplitMix64(`seed`) that runs on from resample to resample. A resample on which a
    /// metric is undefined (AUC with one class) is left out of that metric's interval. The
    /// bounds are the `(1 − confidence)/2` and `(1 + confidence)/2` quantiles of the
    /// resamples' values, interpolated linearly as NumPy's `percentile` does by default.
    ///
    /// The arguments are `TaskMetrics`'s: `labels` nil to take them from `scores`.
    package static func compute(task: ModelTask, classes: [String], truth: [String], labels: [String]?, scores: [[Double]]?,
                                resamples: Int = 1000, confidence: Double = 0.95, seed: UInt64) -> [MetricName: ConfidenceInterval] {
        let metrics = TaskMetrics(task: task, classes: classes, truth: truth, labels: labels, scores: scores)
        let defined = metrics.values.filter { $0.value != nil }.map(\.name)
        let rows = truth.count
        guard rows > 0, resamples > 0, !defined.isEmpty, var resampled = ResampledMetrics(metrics) else { return [:] }
        var samples = Dictionary(uniqueKeysWithValues: defined.map { ($0, [Double]()) })
        for name in defined { samples[name]!.reserveCapacity(resamples) }
        var generator = SplitMix64(seed: seed)
        var counts = [Int32](repeating: 0, count: rows)
        for _ in 0..<resamples {
            for row in 0..<rows { counts[row] = 0 }
            for _ in 0..<rows { counts[Int(generator.next() % UInt64(rows))] += 1 }
            for (name, value) in resampled.values(counts: counts) where value.isFinite {
                samples[name]?.append(value)
            }
        }
        var intervals: [MetricName: ConfidenceInterval] = [:]
        for (name, values) in samples where !values.isEmpty {
            let sorted = values.sorted()
            intervals[name] = ConfidenceInterval(lower: quantile(sorted, (1 - confidence) / 2), upper: quantile(sorted, (1 + confidence) / 2))
        }
        return intervals
    }

    /// The `q` quantile (0…1) of ascending values, NumPy's default `linear` method: the
    /// value at position `q·(n − 1)`, interpolated between its neighbours the way NumPy's
    /// `_lerp` does (from the upper neighbour when the fraction is ½ or more).
    package static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        precondition(!sorted.isEmpty, "the quantile of no values")
        let position = q * Double(sorted.count - 1)
        let below = min(max(0, Int(position.rounded(.down))), sorted.count - 1)
        let above = min(below + 1, sorted.count - 1)
        let fraction = position - Double(below)
        let low = sorted[below], high = sorted[above], difference = high - low
        return fraction >= 0.5 ? high - difference * (1 - fraction) : low + difference * fraction
    }
}
