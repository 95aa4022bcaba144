import Foundation
import Testing
@testable import SextantDashboard

@Suite struct ChartTimelineTests {
    let start = Date(timeIntervalSince1970: 1_796_266_800) // 2026-12-03 03:00:00 UTC

    func entries(_ count: Int) -> [VersionTimeline.Entry] {
        (0..<count).map { index in
            let kind: VersionTimeline.Kind = index % 10 == 9 ? .promoted : (index % 25 == 24 ? .rolledBack
                : (index.isMultiple(of: 2) ? .version : .revision))
            return .init(date: start.addingTimeInterval(Double(index) * 3_600), label: "v\(index)",
                         detail: "entry \(index)", kind: kind)
        }
    }

    @Test("the timeline draws a mark per entry, shaped by kind, and lists every entry in its description")
    func timeline() throws {
        let chart = VersionTimeline(id: "tl", entries: [
            .init(date: start, label: "v1", detail: "AUC 0.91", kind: .version),
            .init(date: start.addingTimeInterval(600), label: "r1", kind: .revision),
            .init(date: start.addingTimeInterval(1_200), label: "v1", kind: .promoted),
            .init(date: start.addingTimeInterval(1_800), label: "v2", kind: .rolledBack),
        ])
        let root = try expectAccessible(chart.svg, title: "Versions and revisions", descContains: [
            "4 entries, oldest first: v1 version at 2026-12-03 03:00:00 UTC (AUC 0.91)",
            "r1 revision at 2026-12-03 03:10:00 UTC", "v2 rolled back at 2026-12-03 03:30:00 UTC",
        ])
        let marks = root.all(class: "mark")
        #expect(marks.map(\.name) == ["circle", "rect", "path", "path"])
        #expect(marks.map { $0.attributes["class"] ?? "" }.map { $0.split(separator: " ")[1] }
                == ["kind-version", "kind-revision", "kind-promoted", "kind-rolled-back"])
        #expect(root.all(class: "label").map(\.text) == ["v1", "r1", "v1", "v2"])
        #expect(root.all(class: "axis").map(\.text).contains("03:00:00 UTC"))
    }

    @Test("100 entries keep every mark, thin labels to at most 40 that never overlap, in bounded size")
    func hundredEntries() throws {
        let svg = VersionTimeline(id: "many", entries: entries(100)).svg
        let root = try expectAccessible(svg, descContains: ["100 entries", "v99 promoted at 2026-12-07 06:00:00 UTC"])
        #expect(root.all(class: "mark").count == 100)
        let labels = root.all(class: "label")
        #expect(labels.count <= 40 && labels.count >= 15, "\(labels.count) labels")
        // Promotions are labelled first.
        let promoted = root.all(class: "kind-promoted").filter { $0.name == "text" }
        #expect(promoted.count == 10)
        // No two labels on the same row overlap.
        let boxes = labels.compactMap { label -> (Double, Double, String)? in
            guard let x = label.number("x"), let y = label.attributes["y"] else { return nil }
            return (x, x + SVG.textWidth(label.text), y)
        }
        for (index, box) in boxes.enumerated() {
            for other in boxes[(index + 1)...] where other.2 == box.2 {
                #expect(box.1 <= other.0 || other.1 <= box.0, "\(box) overlaps \(other)")
            }
        }
        #expect(svg.utf8.count < 50_000, "\(svg.utf8.count) bytes")
    }

    @Test("one entry and no entries both give a valid SVG")
    func edgeCases() throws {
        let one = try expectAccessible(VersionTimeline(id: "one", entries: [.init(date: start, label: "v1", kind: .version)]).svg,
                                       descContains: ["1 entry"])
        #expect(one.all(class: "mark").count == 1)
        _ = try expectAccessible(VersionTimeline(id: "none", entries: []).svg, descContains: ["No versions or revisions yet."])
    }

    @Test("the sparkline marks and names its lowest and highest values")
    func sparkline() throws {
        let values = [0.91, 0.88, 0.93, 0.81, 0.9]
        let points = values.enumerated().map { Sparkline.Point(date: start.addingTimeInterval(Double($0.offset) * 60),
                                                               value: $0.element) }
        let root = try expectAccessible(Sparkline(id: "auc", title: "AUC", points: points).svg, title: "AUC", descContains: [
            "5 samples", "first 0.91", "last 0.9", "lowest 0.81 at 2026-12-03 03:03:00 UTC",
            "highest 0.93 at 2026-12-03 03:02:00 UTC",
        ])
        #expect(root.all(class: "range").first?.text == "min 0.81 \u{b7} max 0.93")
        let low = try #require(root.all(class: "min").first?.number("cy"))
        let high = try #require(root.all(class: "max").first?.number("cy"))
        #expect(low > high, "the lowest value is drawn lower")
        let d = try #require(root.all(class: "line").first?.attributes["d"])
        #expect(d.split(separator: " ").count == 5)
    }

    @Test("a long sparkline is thinned per pixel but keeps its extremes")
    func sparklineThinning() throws {
        var points = (0..<10_000).map { Sparkline.Point(date: start.addingTimeInterval(Double($0)), value: 0.5) }
        points[5_000].value = 0.99
        let svg = Sparkline(id: "long", title: "p99", points: points, unit: " ms").svg
        let root = try expectAccessible(svg, descContains: ["10000 samples", "highest 0.99 ms"])
        let vertices = (root.all(class: "line").first?.attributes["d"] ?? "").split(separator: " ").count
        #expect(vertices <= 4 * 121, "\(vertices) vertices")
        #expect(root.all(class: "line").first?.attributes["d"]?.contains(",4") == true, "the spike is still drawn at the top")
        #expect(svg.utf8.count < 20_000)
    }

    @Test("an empty or all-NaN sparkline says there is no data yet")
    func sparklineEmpty() throws {
        _ = try expectAccessible(Sparkline(id: "e", title: "AUC", points: []).svg, descContains: ["No data yet."])
        _ = try expectAccessible(Sparkline(id: "n", title: "AUC", points: [.init(date: start, value: .nan)]).svg,
                                 descContains: ["No data yet."])
    }
}
