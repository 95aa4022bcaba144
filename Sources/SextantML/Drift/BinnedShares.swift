#if canImport(Glibc)
import Glibc
#endif

/// Evidently's `get_binned_data`: each side's share of values per bin. A numerical feature
/// with more than 20 distinct reference values is cut into numpy's Sturges bins over both
/// sides together; anything else is binned by value (one bin per category of either side).
struct BinnedShares {
    var reference: [Double]
    var current: [Double]

    /// Evidently's threshold of distinct reference values above which numbers are cut into
    /// ranges rather than counted by value.
    static let distinctValuesForRanges = 20

    init(_ sample: DriftSample, integer: Bool) {
        if case .numerical(let reference, let current) = sample,
           SortedSamples.distinctCount(reference, []) > Self.distinctValuesForRanges {
            let edges = Self.sturgesEdges(reference, current, integer: integer)
            self.reference = Self.histogram(reference, edges)
            self.current = Self.histogram(current, edges)
        } else {
            let (reference, current) = sample.categories
            let categories = Array(Set(reference.counts.keys).union(current.counts.keys))
            self.reference = categories.map { Double(reference.count(of: $0)) / Double(reference.total) }
            self.current = categories.map { Double(current.count(of: $0)) / Double(current.total) }
        }
    }

    /// Evidently's `feel_zeroes` (for PSI): an empty bin gets a millionth of the side's
    /// smallest share when that is at most 0.0001, else 0.0001.
    func withEmptyBinsFilled() -> BinnedShares {
        var filled = self
        filled.reference = Self.fillZeros(reference)
        filled.current = Self.fillZeros(current)
        return filled
    }

    private static func fillZeros(_ shares: [Double]) -> [Double] {
        guard let smallest = shares.filter({ $0 != 0 }).min() else { return shares }
        let fill = smallest <= 0.0001 ? smallest / 1_000_000 : 0.0001
        return shares.map { $0 == 0 ? fill : $0 }
    }

    /// `np.histogram_bin_edges(both, bins="sturges")`: width ptp/(log₂N + 1) (at least 1 for
    /// an integer column, as numpy does for integer arrays), ⌈ptp/width⌉ equal bins.
    private static func sturgesEdges(_ reference: [Double], _ current: [Double], integer: Bool) -> [Double] {
        let low = min(reference[0], current[0])
        let high = max(reference[reference.count - 1], current[current.count - 1])
        let range = high - low
        var width = range / (log2(Double(reference.count + current.count)) + 1)
        if integer, width < 1 { width = 1 }
        let bins = width == 0 ? 1 : Int((range / width).rounded(.up))
        let step = range / Double(bins)
        var edges = (0..<bins).map { Double($0) * step + low }
        edges.append(high)
        return edges
    }

    /// `np.histogram(values, edges)[0] / len(values)`: bins closed on the left, the last
    /// also on the right.
    private static func histogram(_ sorted: [Double], _ edges: [Double]) -> [Double] {
        var cumulative = edges.dropLast().map { SortedSamples.count(in: sorted, below: $0, inclusive: false) }
        cumulative.append(SortedSamples.count(in: sorted, below: edges[edges.count - 1], inclusive: true))
        let total = Double(sorted.count)
        return (1..<cumulative.count).map { Double(cumulative[$0] - cumulative[$0 - 1]) / total }
    }
}
