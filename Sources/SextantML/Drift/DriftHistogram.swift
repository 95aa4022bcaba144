import Foundation

/// What a person compares by eye when a feature drifts: each side's share of values per
/// bin, on the same bins. Numbers fall into `numericBins` equal-width bins over both sides'
/// range (numpy's `histogram(both, bins=10)`: the last bin holds its upper edge); categories
/// are ordered by their reference share, the `categoryBins − 1` largest kept and the rest
/// summed as `(other)`. Missing values are left out, as the drift tests leave them out.
package struct DriftHistogram: Sendable, Hashable {
    /// Each bin's label: `[10, 20)`, `[90, 100]`, or a category.
    package var bins: [String]
    /// The reference's share of its values in each bin (0–1; they sum to 1).
    package var reference: [Double]
    /// The current window's share of its values in each bin.
    package var current: [Double]

    package static let numericBins = 10
    package static let categoryBins = 10
    package static let otherLabel = "(other)"

    package init(bins: [String], reference: [Double], current: [Double]) {
        self.bins = bins
        self.reference = reference
        self.current = current
    }

    /// Both sides on common bins; nil when either side has no value.
    package init?(reference: DriftValues, current: DriftValues) {
        switch (reference, current) {
        case (.numbers(let reference), .numbers(let current)):
            self.init(numbers: reference.compactMap { $0 }.filter(\.isFinite), current.compactMap { $0 }.filter(\.isFinite))
        case (.categories(let reference), .categories(let current)):
            self.init(categories: reference.compactMap { $0 }, current.compactMap { $0 })
        default:
            return nil
        }
    }

    private init?(numbers reference: [Double], _ current: [Double]) {
        guard let low = (reference + current).min(), let high = (reference + current).max(), !reference.isEmpty, !current.isEmpty else { return nil }
        guard high > low else {
            self.init(bins: [Self.format(low)], reference: [1], current: [1])
            return
        }
        let width = (high - low) / Double(Self.numericBins)
        func shares(_ values: [Double]) -> [Double] {
            var counts = [Double](repeating: 0, count: Self.numericBins)
            for value in values { counts[min(Int((value - low) / width), Self.numericBins - 1)] += 1 }
            return counts.map { $0 / Double(values.count) }
        }
        let edges = (0...Self.numericBins).map { low + Double($0) * width }
        let bins = (0..<Self.numericBins).map { index in
            "[\(Self.format(edges[index])), \(Self.format(index == Self.numericBins - 1 ? high : edges[index + 1]))\(index == Self.numericBins - 1 ? "]" : ")")"
        }
        self.init(bins: bins, reference: shares(reference), current: shares(current))
    }

    private init?(categories reference: [String], _ current: [String]) {
        guard !reference.isEmpty, !current.isEmpty else { return nil }
        var referenceCounts: [String: Int] = [:]
        var currentCounts: [String: Int] = [:]
        for value in reference { referenceCounts[value, default: 0] += 1 }
        for value in current { currentCounts[value, default: 0] += 1 }
        let ordered = Set(referenceCounts.keys).union(currentCounts.keys).sorted {
            (referenceCounts[$0, default: 0], currentCounts[$0, default: 0], $1) > (referenceCounts[$1, default: 0], currentCounts[$1, default: 0], $0)
        }
        let kept = ordered.count > Self.categoryBins ? Array(ordered.prefix(Self.categoryBins - 1)) : ordered
        let other = ordered.count > Self.categoryBins ? Array(ordered.dropFirst(Self.categoryBins - 1)) : []
        func shares(_ counts: [String: Int], total: Int) -> [Double] {
            kept.map { Double(counts[$0, default: 0]) / Double(total) }
                + (other.isEmpty ? [] : [Double(other.reduce(0) { $0 + counts[$1, default: 0] }) / Double(total)])
        }
        self.init(bins: kept + (other.isEmpty ? [] : [Self.otherLabel]), reference: shares(referenceCounts, total: reference.count),
                  current: shares(currentCounts, total: current.count))
    }

    /// Three significant digits, as a bin edge reads.
    static func format(_ value: Double) -> String {
        String(format: "%.3g", value)
    }
}
