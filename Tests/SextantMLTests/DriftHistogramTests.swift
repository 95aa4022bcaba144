import Testing
@testable import SextantML

/// The bins a drift chart draws: numpy's equal-width histogram over both sides for
/// numbers, the reference's largest categories for text.
@Suite struct DriftHistogramTests {
    @Test("numbers: ten equal bins over both sides' range, the last closed; each side's shares sum to 1; missing values left out")
    func numbers() throws {
        let histogram = try #require(DriftHistogram(reference: .numbers([0, 1, 2, 3, 4, nil]), current: .numbers([5, 6, 7, 8, 9, 10, 10])))
        #expect(histogram.bins.count == 10)
        #expect(histogram.bins.first == "[0, 1)" && histogram.bins.last == "[9, 10]")
        #expect(histogram.reference == [0.2, 0.2, 0.2, 0.2, 0.2, 0, 0, 0, 0, 0])
        #expect(histogram.current.map { ($0 * 7).rounded() } == [0, 0, 0, 0, 0, 1, 1, 1, 1, 3], "10 falls in the closed last bin")
        #expect(abs(histogram.current.reduce(0, +) - 1) < 1e-12)
    }

    @Test("one value on both sides is one bin; a side without values gives no histogram")
    func degenerate() {
        #expect(DriftHistogram(reference: .numbers([3, 3]), current: .numbers([3])) == DriftHistogram(bins: ["3"], reference: [1], current: [1]))
        #expect(DriftHistogram(reference: .numbers([nil]), current: .numbers([1])) == nil)
        #expect(DriftHistogram(reference: .numbers([1]), current: .categories(["a"])) == nil)
    }

    @Test("categories: ordered by the reference's share; beyond ten, the rest summed as (other), new categories included")
    func categories() throws {
        let small = try #require(DriftHistogram(reference: .categories(["b", "a", "a", nil]), current: .categories(["c", "a"])))
        #expect(small.bins == ["a", "b", "c"])
        #expect(small.reference.map { ($0 * 3).rounded() } == [2, 1, 0] && small.current == [0.5, 0, 0.5])
        let many = (0..<15).map { "c\($0)" }
        let reference = many.enumerated().flatMap { index, name in Array(repeating: name, count: 15 - index) }
        let wide = try #require(DriftHistogram(reference: .categories(reference), current: .categories(many)))
        #expect(wide.bins.count == 10 && wide.bins.first == "c0" && wide.bins.last == "(other)")
        #expect(abs(wide.reference.reduce(0, +) - 1) < 1e-12 && abs(wide.current.reduce(0, +) - 1) < 1e-12)
        #expect(abs(wide.current.last! - 6.0 / 15) < 1e-12, "six categories in (other)")
    }
}
