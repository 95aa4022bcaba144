import Testing
@testable import SextantDashboard

@Suite struct ChartDriftExperimentTests {
    let bins: [HistogramComparison.Bin] = [
        .init(label: "18–25", reference: 0.2, current: 0.4),
        .init(label: "26–40", reference: 0.5, current: 0.4),
        .init(label: "41+", reference: 0.3, current: 0.2),
    ]

    @Test("histogram bars are proportional to shares, reference and current side by side with a legend")
    func histogram() throws {
        let chart = HistogramComparison(id: "drift-age", feature: "age", statistic: "PSI", value: 0.31, threshold: 0.2,
                                        bins: bins)
        let root = try expectAccessible(chart.svg, title: "Drift of age: PSI 0.31 (threshold 0.2, drifted)",
                                        descContains: ["18–25: 20% then 40%", "26–40: 50% then 40%", "41+: 30% then 20%"])
        let reference = root.all(class: "series-reference").filter { $0.attributes["class"] == "bar series-reference" }
        let current = root.all(class: "series-current").filter { $0.attributes["class"] == "bar series-current" }
        #expect(reference.count == 3 && current.count == 3)
        // The axis tops out at 50%, so 140 px per 50%: every bar's height is share × 280.
        for (bar, share) in zip(reference + current, bins.map(\.reference) + bins.map(\.current)) {
            #expect(abs(try #require(bar.number("height")) - share * 280) < 0.01, "\(share)")
        }
        for (left, right) in zip(reference, current) {
            #expect(try #require(left.number("x")) < (try #require(right.number("x"))), "reference left of current")
        }
        #expect(Set(root.all(class: "legend").filter { $0.name == "text" }.map(\.text)) == ["reference", "current"])
        #expect(root.all(class: "axis").map(\.text).contains("50%"))
        #expect(root.all(class: "hatch").count == 3, "reference bars are hatched too, not told by colour only")
    }

    @Test("the title says whether the statistic is over its threshold", arguments: [
        (0.1 as Double?, 0.2 as Double?, "Drift of f: PSI 0.1 (threshold 0.2, within)"),
        (nil, 0.2, "Drift of f: PSI not computed (threshold 0.2)"),
        (0.05, nil, "Drift of f: PSI 0.05"),
    ])
    func histogramTitle(value: Double?, threshold: Double?, title: String) throws {
        let chart = HistogramComparison(id: "t", feature: "f", statistic: "PSI", value: value, threshold: threshold, bins: bins)
        _ = try expectAccessible(chart.svg, title: title)
    }

    @Test("many bins thin their axis labels but keep every bar")
    func manyBins() throws {
        let many = (0..<60).map { HistogramComparison.Bin(label: "bin \($0)", reference: 1.0 / 60, current: 1.0 / 60) }
        let root = try expectAccessible(HistogramComparison(id: "m", feature: "x", statistic: "PSI", value: 0, threshold: 0.2,
                                                            bins: many).svg)
        #expect(root.all(class: "bar").count == 120)
        let labels = root.all(class: "axis").filter { $0.text.hasPrefix("bin") }
        #expect(labels.count < 60 && labels.count >= 8)
    }

    @Test("no bins is a valid SVG that says so")
    func noBins() throws {
        _ = try expectAccessible(HistogramComparison(id: "e", feature: "age", statistic: "PSI", value: nil, threshold: nil,
                                                     bins: []).svg, descContains: ["No histogram for age yet."])
    }

    @Test("0 lies between the whisker ends exactly when the interval holds 0", arguments: [
        (-1.2, 3.4, true), (0.5, 2.5, false), (-4.0, -0.1, false), (0.0, 1.0, true), (-2.0, 0.0, true), (120.0, 480.0, false),
    ])
    func zeroInside(lower: Double, upper: Double, holdsZero: Bool) throws {
        let plot = IntervalPlot(id: "exp", title: "conversion: candidate \u{2212} control", difference: (lower + upper) / 2,
                                fixedHorizon: .init(lower: lower, upper: upper), deciding: .fixedHorizon, unit: " pp")
        let root = try expectAccessible(plot.svg, descContains: [holdsZero ? "includes 0" : "excludes 0",
                                                                 "this interval decides"])
        let whisker = try #require(root.all(class: "whisker").first)
        let zero = try #require(root.all(class: "zero").first?.number("x1"))
        let left = try #require(whisker.number("x1"))
        let right = try #require(whisker.number("x2"))
        #expect((left <= zero && zero <= right) == holdsZero, "\(left) \(zero) \(right)")
        #expect(whisker.attributes["class"] == "whisker fixed-horizon deciding")
        #expect(root.all(class: "bound").map(\.text) == [SVG.label(lower) + " pp", SVG.label(upper) + " pp"])
    }

    @Test("both intervals are drawn, the deciding one marked; a missing one says no interval yet")
    func twoIntervals() throws {
        let plot = IntervalPlot(id: "seq", title: "revenue", difference: 1.5, fixedHorizon: .init(lower: 0.2, upper: 2.8),
                                alwaysValid: .init(lower: -0.9, upper: 3.9), deciding: .alwaysValid)
        let root = try expectAccessible(plot.svg, descContains: [
            "Difference 1.5.", "Fixed-horizon 95% interval: from 0.2 to 2.8, excludes 0.",
            "Always-valid 95% interval: from \u{2212}0.9 to 3.9, includes 0; this interval decides.",
        ])
        let whiskers = root.all(class: "whisker")
        #expect(whiskers.map { $0.attributes["class"] } == ["whisker fixed-horizon", "whisker always-valid deciding"])
        #expect(root.all(class: "decides").count == 1)
        // The always-valid interval is wider, and drawn so.
        let widths = try whiskers.map { try #require($0.number("x2")) - (try #require($0.number("x1"))) }
        #expect(widths[1] > widths[0])

        let pending = IntervalPlot(id: "p", title: "revenue", difference: 1.5, fixedHorizon: nil, deciding: .alwaysValid)
        let pendingRoot = try expectAccessible(pending.svg, descContains: ["Fixed-horizon 95% interval: no interval yet",
                                                                         "Always-valid 95% interval: no interval yet"])
        #expect(pendingRoot.all(class: "no-interval").count == 2)
        #expect(pendingRoot.all(class: "whisker").isEmpty)
    }

    @Test("no difference and no interval is a valid SVG saying there is no interval yet")
    func noInterval() throws {
        _ = try expectAccessible(IntervalPlot(id: "n", title: "t", difference: nil, fixedHorizon: nil).svg,
                                 descContains: ["No interval yet."])
    }
}
