import Foundation
import Testing
@testable import SextantDashboard

/// Properties every chart shares, checked across all of them: text with markup characters
/// survives, output is byte-identical for the same input, and empty input never crashes.
@Suite struct ChartCommonTests {
    static let nasty = "a<b & \"c\" 'd'>"
    static let start = Date(timeIntervalSince1970: 1_796_266_800)

    /// Each chart built with `text` in every string it takes, and with empty data.
    static func charts(_ text: String, empty: Bool) -> [(String, String)] {
        let date = start
        return [
            ("split", TrafficSplitBar(id: "split", title: text, segments: empty ? [] : [
                .init(label: text, role: .stable, weightPercent: 80),
                .init(label: text, role: .shadow, weightPercent: 20, mirrorPercent: 30),
            ]).svg),
            ("history", TrafficHistoryChart(id: "history", title: text, points: empty ? [] : [
                .init(date: date, revision: text, weightPercent: 100),
                .init(date: date.addingTimeInterval(30), revision: text, weightPercent: 40),
            ]).svg),
            ("steps", RolloutStepsTrack(id: "steps", title: text, steps: empty ? [] : [
                .init(label: text, state: .current, detail: text),
            ], verdict: .inconclusive, verdictDetail: text).svg),
            ("budget", BudgetBar(id: "budget", objective: text, target: 0.99, remainingFraction: empty ? .nan : 0.5).svg),
            ("histogram", HistogramComparison(id: "histogram", feature: text, statistic: text, value: 0.1, threshold: 0.2,
                                              bins: empty ? [] : [.init(label: text, reference: 0.5, current: 0.5)]).svg),
            ("interval", IntervalPlot(id: "interval", title: text, difference: empty ? nil : 1,
                                      fixedHorizon: empty ? nil : .init(lower: -1, upper: 3), unit: text).svg),
            ("timeline", VersionTimeline(id: "timeline", title: text, entries: empty ? [] : [
                .init(date: date, label: text, detail: text, kind: .version),
            ]).svg),
            ("sparkline", Sparkline(id: "sparkline", title: text, points: empty ? [] : [
                .init(date: date, value: 1), .init(date: date.addingTimeInterval(5), value: 2),
            ], unit: text).svg),
        ]
    }

    @Test("text with <&\"' is escaped in every chart and comes back intact", arguments: charts(nasty, empty: false))
    func escaping(name: String, svg: String) throws {
        let root = try expectAccessible(svg)
        #expect(root.titleText.contains(Self.nasty), "\(name) title: \(root.titleText)")
        #expect(root.descText.contains(Self.nasty), "\(name) desc: \(root.descText)")
        let drawn = root.allNodes.filter { $0.name == "text" }.map(\.text)
        if name != "budget" { #expect(drawn.contains { $0.contains(Self.nasty) }, "\(name) draws the text: \(drawn)") }
    }

    @Test("every chart is byte-identical for the same input")
    func deterministic() {
        let first = Self.charts("same", empty: false)
        let second = Self.charts("same", empty: false)
        for (one, other) in zip(first, second) {
            #expect(one.1 == other.1, "\(one.0)")
        }
        for (name, svg) in first {
            #expect(!svg.contains("e+") && !svg.contains("nan") && !svg.contains("inf"), "\(name) has no odd numbers")
        }
    }

    @Test("empty input gives every chart a valid SVG with an explanatory text", arguments: charts("t", empty: true))
    func empty(name: String, svg: String) throws {
        let root = try expectAccessible(svg)
        let texts = root.allNodes.filter { $0.name == "text" }.map(\.text).joined(separator: " ")
        #expect(texts.contains("no") || texts.contains("No") || texts.contains("unknown"), "\(name): \(texts)")
    }

    @Test("two charts on one page have distinct ids from their prefixes")
    func uniqueIDs() throws {
        let a = try expectAccessible(TrafficSplitBar(id: "split-a", segments: [.init(label: "x", role: .shadow,
                                                                                      weightPercent: 0, mirrorPercent: 10)]).svg)
        let b = try expectAccessible(TrafficSplitBar(id: "split-b", segments: [.init(label: "x", role: .shadow,
                                                                                      weightPercent: 0, mirrorPercent: 10)]).svg)
        let idsA = Set(a.allNodes.compactMap { $0.attributes["id"] })
        let idsB = Set(b.allNodes.compactMap { $0.attributes["id"] })
        #expect(idsA.count == 4 && idsA.isDisjoint(with: idsB))
    }
}
