import Foundation
import Testing
@testable import SextantML

/// Bootstrap intervals: they contain the holdout metric, are reproducible for a seed, narrow
/// as the holdout grows, and compute exactly `TaskMetrics`'s metrics on every resample.
@Suite struct ExplainBootstrapTests {
    /// A seeded synthetic holdout of `rows` rows: truth, and scores a fair model would give.
    static func holdout(_ task: ModelTask, rows: Int, seed: UInt64 = 5) -> (classes: [String], truth: [String], scores: [[Double]]) {
        var generator = SplitMix64(seed: seed)
        func uniform() -> Double { Double(generator.next() >> 11) / Double(1 << 53) }
        switch task {
        case .binaryClassification:
            var truth: [String] = [], scores: [[Double]] = []
            for _ in 0..<rows {
                let p = uniform()
                truth.append(uniform() < p ? "true" : "false")
                scores.append([1 - p, p])
            }
            return (["false", "true"], truth, scores)
        case .multiclassClassification:
            let classes = ["a", "b", "c"]
            var truth: [String] = [], scores: [[Double]] = []
            for _ in 0..<rows {
                let raw = [uniform(), uniform(), uniform()], total = raw.reduce(0, +)
                let p = raw.map { $0 / total }
                let draw = uniform()
                truth.append(draw < p[0] ? "a" : draw < p[0] + p[1] ? "b" : "c")
                scores.append(p)
            }
            return (classes, truth, scores)
        case .regression:
            var truth: [String] = [], scores: [[Double]] = []
            for _ in 0..<rows {
                let x = uniform() * 10
                truth.append(formatNumber(x + uniform() - 0.5))
                scores.append([x])
            }
            return ([], truth, scores)
        }
    }

    static let tasks: [ModelTask] = [.binaryClassification, .multiclassClassification, .regression]

    @Test("the interval of every metric contains the holdout's value; the same seed gives the same intervals, another seed others",
          arguments: tasks)
    func containsAndReproducible(task: ModelTask) throws {
        let (classes, truth, scores) = Self.holdout(task, rows: 500)
        let intervals = BootstrapIntervals.compute(task: task, classes: classes, truth: truth, labels: nil, scores: scores, seed: 42)
        let metrics = TaskMetrics(task: task, classes: classes, truth: truth, labels: nil, scores: scores).values
        #expect(Set(intervals.keys) == Set(metrics.map(\.name)))
        for metric in metrics {
            let interval = try #require(intervals[metric.name])
            #expect(interval.contains(metric.value!), "\(metric.name) \(metric.value!) outside [\(interval.lower), \(interval.upper)]")
            #expect(interval.width > 0, "\(metric.name)")
        }
        #expect(BootstrapIntervals.compute(task: task, classes: classes, truth: truth, labels: nil, scores: scores, seed: 42) == intervals)
        #expect(BootstrapIntervals.compute(task: task, classes: classes, truth: truth, labels: nil, scores: scores, seed: 43) != intervals)
    }

    @Test("intervals narrow as the holdout grows: 200, 2,000, 20,000 rows", arguments: tasks)
    func narrows(task: ModelTask) {
        let widths = [200, 2_000, 20_000].map { rows in
            let (classes, truth, scores) = Self.holdout(task, rows: rows)
            return BootstrapIntervals.compute(task: task, classes: classes, truth: truth, labels: nil, scores: scores, resamples: 200, seed: 42)
        }
        for metric in widths[0].keys {
            let sizes = widths.map { $0[metric]!.width }
            // The width goes as 1/√n: each tenfold step divides it by about 3.2.
            #expect(sizes[0] > 2 * sizes[1] && sizes[1] > 2 * sizes[2], "\(metric): \(sizes)")
        }
    }

    @Test("a metric undefined on the holdout gets no interval; labels given are used as given")
    func undefined() {
        let truth = ["true", "true", "true", "true"]
        let intervals = BootstrapIntervals.compute(task: .binaryClassification, classes: ["false", "true"], truth: truth,
                                                   labels: ["true", "false", "true", "true"], scores: nil, seed: 1)
        #expect(intervals[.auc] == nil && intervals[.logLoss] == nil && intervals[.prAuc] == nil)
        #expect(intervals[.accuracy] != nil && intervals[.recall] != nil)
        #expect(BootstrapIntervals.compute(task: .regression, classes: [], truth: ["1", "x"], labels: nil, scores: [[1], [2]], seed: 1).isEmpty)
        #expect(BootstrapIntervals.compute(task: .regression, classes: [], truth: [], labels: nil, scores: [], seed: 1).isEmpty)
    }

    @Test("on resample counts, every metric equals TaskMetrics on the rows drawn", arguments: tasks)
    func sameMetrics(task: ModelTask) {
        let (classes, truth, scores) = Self.holdout(task, rows: 300, seed: 9)
        let metrics = TaskMetrics(task: task, classes: classes, truth: truth, labels: nil, scores: scores)
        var resampled = ResampledMetrics(metrics)!
        var generator = SplitMix64(seed: 3)
        for _ in 0..<20 {
            var counts = [Int32](repeating: 0, count: truth.count)
            var drawn: [Int] = []
            for _ in truth.indices {
                let row = Int(generator.next() % UInt64(truth.count))
                counts[row] += 1
                drawn.append(row)
            }
            let values = resampled.values(counts: counts)
            let expected = TaskMetrics(task: task, classes: classes, truth: drawn.map { truth[$0] }, labels: nil, scores: drawn.map { scores[$0] }).values
            #expect(Set(values.keys) == Set(expected.compactMap { $0.value == nil ? nil : $0.name }))
            for metric in expected {
                #expect(Golden.close(values[metric.name], metric.value, 1e-12), "\(metric.name): \(String(describing: values[metric.name])) vs \(String(describing: metric.value))")
            }
        }
    }

    @Test("quantiles as numpy.percentile's default", arguments: [
        ([1.0, 2, 3, 4], 0.025, 1.075), ([1.0, 2, 3, 4], 0.975, 3.925), ([5.0], 0.5, 5), ([0.0, 10], 0.5, 5), ([1.0, 2, 3, 4, 5], 1, 5),
    ] as [([Double], Double, Double)])
    func quantile(values: [Double], q: Double, expected: Double) {
        #expect(abs(BootstrapIntervals.quantile(values, q) - expected) < 1e-12)
    }

    @Test("1,000 resamples of 10,000 binary rows give every metric an interval (the time is printed; bench/evaluate measures it)")
    func speed() {
        let (classes, truth, scores) = Self.holdout(.binaryClassification, rows: 10_000)
        let clock = ContinuousClock()
        var intervals: [MetricName: ConfidenceInterval] = [:]
        let elapsed = clock.measure {
            intervals = BootstrapIntervals.compute(task: .binaryClassification, classes: classes, truth: truth, labels: nil, scores: scores, seed: 42)
        }
        print("bootstrap: 1,000 resamples × 10,000 rows × \(intervals.count) metrics in \(elapsed)")
        #expect(intervals.count == 7)
    }
}
