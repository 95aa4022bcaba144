import Foundation
import Testing
@testable import SextantDashboard

@Suite struct ChartTrafficTests {
    let start = Date(timeIntervalSince1970: 1_796_266_800) // 2026-12-03 03:00:00 UTC

    func segmentWidths(_ root: ChartNode) -> [Double] {
        root.all(class: "segment").compactMap { $0.number("width") }
    }

    @Test("the split bar is accessible and says every weight and mirror in its description")
    func splitAccessible() throws {
        let bar = TrafficSplitBar(id: "split-fraud", segments: [
            .init(label: "r3 (v2) stable", role: .stable, weightPercent: 90),
            .init(label: "r4 (v3) candidate", role: .candidate, weightPercent: 10),
            .init(label: "r5 (v4) shadow", role: .shadow, weightPercent: 0, mirrorPercent: 50),
        ])
        let root = try expectAccessible(bar.svg, title: "Traffic split now",
                                        descContains: ["r3 (v2) stable (stable): 90%", "r4 (v3) candidate (candidate): 10%",
                                                       "mirrored copy of 50%"])
        #expect(root.all(class: "series-stable").count == 1)
        #expect(root.all(class: "series-candidate").count == 1)
        let mirror = try #require(root.all(class: "mirror").first { $0.name == "rect" })
        #expect(mirror.attributes["fill"] == "url(#split-fraud-hatch)")
        #expect(root.all("pattern").first?.attributes["id"] == "split-fraud-hatch")
        #expect(try #require(mirror.number("width")) == 292, "50% of the 584 px bar")
        let labels = root.all("text").map(\.text)
        #expect(labels.contains("r3 (v2) stable 90%"))
        #expect(labels.contains("r5 (v4) shadow mirrors 50%"))
        #expect(!root.descText.contains("not 100%"))
    }

    @Test("segment widths are proportional to the weights, drawn as given when they do not sum to 100",
          arguments: [[90.0, 10], [50, 30, 20], [60, 20], [70, 50], [33.3, 33.3, 33.4]])
    func splitProportional(weights: [Double]) throws {
        let bar = TrafficSplitBar(id: "s", segments: weights.enumerated().map {
            .init(label: "r\($0.offset)", role: $0.offset == 0 ? .stable : .candidate, weightPercent: $0.element)
        })
        let root = try expectAccessible(bar.svg)
        let widths = segmentWidths(root)
        #expect(widths.count == weights.count)
        let perPercent = 584 / max(100, weights.reduce(0, +))
        for (width, weight) in zip(widths, weights) {
            #expect(abs(width - weight * perPercent) < 0.01, "\(width) for \(weight)%")
        }
        let sum = weights.reduce(0, +)
        #expect(root.descText.contains("not 100%") == (abs(sum - 100) > 0.001))
        if sum < 100 {
            #expect(widths.reduce(0, +) < 584, "the gap to 100% stays visible")
        }
    }

    @Test("a 0% segment draws nothing but is still named in the description")
    func splitZero() throws {
        let bar = TrafficSplitBar(id: "z", segments: [
            .init(label: "r1 stable", role: .stable, weightPercent: 100),
            .init(label: "r2 candidate", role: .candidate, weightPercent: 0),
        ])
        let root = try expectAccessible(bar.svg, descContains: ["r2 candidate (candidate): 0%"])
        #expect(segmentWidths(root) == [584])
        #expect(root.all(class: "series-candidate").isEmpty)
    }

    @Test("narrow segments are labelled below the bar on lanes that do not overlap")
    func splitNarrowLabels() throws {
        let bar = TrafficSplitBar(id: "n", segments: [
            .init(label: "r1 (v1) stable", role: .stable, weightPercent: 94),
            .init(label: "r2 (v2) candidate", role: .candidate, weightPercent: 3),
            .init(label: "r3 (v3) other", role: .other, weightPercent: 3),
        ])
        let root = try expectAccessible(bar.svg)
        let below = root.all(class: "below")
        #expect(below.map(\.text) == ["r2 (v2) candidate 3%", "r3 (v3) other 3%"])
        #expect(Set(below.compactMap { $0.attributes["y"] }).count == 2, "the two labels take two lanes")
        #expect(root.all(class: "inside").map(\.text) == ["r1 (v1) stable 94%"])
    }

    @Test("labels with markup characters are escaped and come back intact")
    func splitEscaping() throws {
        let nasty = "r1 <b>&\"'"
        let root = try expectAccessible(TrafficSplitBar(id: "e", title: "split of \(nasty)", segments: [
            .init(label: nasty, role: .stable, weightPercent: 100),
        ]).svg, title: "split of \(nasty)", descContains: [nasty])
        #expect(root.all("text").contains { $0.text == nasty + " 100%" })
    }

    @Test("an empty split is a valid SVG that says there is no split yet")
    func splitEmpty() throws {
        let root = try expectAccessible(TrafficSplitBar(id: "e", segments: []).svg, descContains: ["No traffic split yet."])
        #expect(root.all(class: "empty").first?.text == "No traffic split yet.")
    }

    func rollout(points count: Int) -> [TrafficHistoryChart.Point] {
        (0..<count).flatMap { index -> [TrafficHistoryChart.Point] in
            let weight = Double(index * 100 / max(count - 1, 1))
            let date = start.addingTimeInterval(Double(index))
            return [.init(date: date, revision: "r4 (v3)", weightPercent: weight),
                    .init(date: date, revision: "r3 (v2)", weightPercent: 100 - weight)]
        }
    }

    @Test("the history draws a step line per revision with time ticks in UTC and 0/50/100% ticks")
    func historyLines() throws {
        let points: [TrafficHistoryChart.Point] = [
            .init(date: start, revision: "r3", weightPercent: 100),
            .init(date: start, revision: "r4", weightPercent: 0),
            .init(date: start.addingTimeInterval(60), revision: "r3", weightPercent: 90),
            .init(date: start.addingTimeInterval(60), revision: "r4", weightPercent: 10),
            .init(date: start.addingTimeInterval(120), revision: "r3", weightPercent: 50),
            .init(date: start.addingTimeInterval(120), revision: "r4", weightPercent: 50),
        ]
        let chart = TrafficHistoryChart(id: "h", points: points, roles: ["r4": .candidate, "r3": .stable],
                                        now: start.addingTimeInterval(180))
        let root = try expectAccessible(chart.svg, descContains: [
            "r3 (stable): 100% at 03:00:00, 90% at 03:01:00, 50% at 03:02:00",
            "r4 (candidate): 0% at 03:00:00, 10% at 03:01:00, 50% at 03:02:00", "to 2026-12-03 03:03:00 UTC",
        ])
        let lines = root.all(class: "line")
        #expect(lines.map { $0.attributes["class"] } == ["line series-stable", "line series-candidate"])
        #expect(lines[0].attributes["stroke-dasharray"] == nil && lines[1].attributes["stroke-dasharray"] != nil,
                "the second line differs by dash, not only colour")
        // A step line: 3 points give 3 vertices, 2 corners and a run to `now`; 60 s is 180 px of 540,
        // and 90% is 126 px of the 140 px plot above its bottom at 150.
        let d = try #require(lines[0].attributes["d"])
        #expect(d == "M44,10 L224,10 L224,24 L404,24 L404,80 L584,80")
        let axis = root.all(class: "axis").map(\.text)
        #expect(axis.contains("0%") && axis.contains("50%") && axis.contains("100%"))
        #expect(axis.contains("03:00:00") && axis.contains("03:03:00 UTC"))
    }

    @Test("one point draws a marker and a valid axis")
    func historyOnePoint() throws {
        let chart = TrafficHistoryChart(id: "one", points: [.init(date: start, revision: "r1", weightPercent: 100)])
        let root = try expectAccessible(chart.svg, descContains: ["r1 (stable): 100% at 03:00:00"])
        #expect(root.all("circle").count == 1)
        #expect(root.all(class: "line").count == 1)
    }

    @Test("an empty history is a valid SVG saying there is no history yet")
    func historyEmpty() throws {
        _ = try expectAccessible(TrafficHistoryChart(id: "none", points: []).svg, descContains: ["No traffic history yet."])
    }

    @Test("10,000 points are thinned to at most two per horizontal pixel per revision, in bounded size")
    func historyThinning() throws {
        let chart = TrafficHistoryChart(id: "big", points: rollout(points: 10_000))
        let svg = chart.svg
        let root = try expectAccessible(svg)
        let plotWidth = 584.0 - 44.0
        for line in root.all(class: "line") {
            let vertices = (line.attributes["d"] ?? "").split(separator: " ").count
            // Each kept point gives at most two vertices (a step), plus the run to the end.
            #expect(Double(vertices) <= 2 * (2 * (plotWidth + 1)) + 1, "\(vertices) vertices")
            #expect(vertices > 100, "the line still follows the data")
        }
        #expect(svg.utf8.count < 60_000, "\(svg.utf8.count) bytes")
        #expect(root.descText.contains("9998 more points"))
    }

    @Test("the same input gives byte-identical SVG")
    func deterministic() {
        let points = rollout(points: 50)
        #expect(TrafficHistoryChart(id: "d", points: points).svg == TrafficHistoryChart(id: "d", points: points).svg)
        let segments: [TrafficSplitBar.Segment] = [.init(label: "a", role: .stable, weightPercent: 100.0 / 3)]
        #expect(TrafficSplitBar(id: "d", segments: segments).svg == TrafficSplitBar(id: "d", segments: segments).svg)
    }
}
