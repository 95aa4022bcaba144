/// Walks over two ascending samples together, the way SciPy evaluates empirical CDFs with
/// `searchsorted(side='right')`: once per distinct value, after all its ties.
enum SortedSamples {
    /// Calls `visit(value, a, b)` for each distinct value of both samples in ascending order,
    /// with how many elements of each sample are ≤ value.
    static func forEachDistinct(_ first: [Double], _ second: [Double], _ visit: (Double, Int, Int) -> Void) {
        var i = 0
        var j = 0
        while i < first.count || j < second.count {
            let value: Double
            if j == second.count || (i < first.count && first[i] <= second[j]) {
                value = first[i]
            } else {
                value = second[j]
            }
            while i < first.count, first[i] == value { i += 1 }
            while j < second.count, second[j] == value { j += 1 }
            visit(value, i, j)
        }
    }

    /// Distinct values of both samples together.
    static func distinctCount(_ first: [Double], _ second: [Double]) -> Int {
        var count = 0
        forEachDistinct(first, second) { _, _, _ in count += 1 }
        return count
    }

    /// How many elements of an ascending sample are < value (`side='left'`) or ≤ value.
    static func count(in sorted: [Double], below value: Double, inclusive: Bool) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value || (inclusive && sorted[middle] == value) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }
}
