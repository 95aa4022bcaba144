import Foundation

/// Permutation importance (DESIGN §9): one horizontal bar per feature, longest first, its
/// mean drop of the metric when the feature is shuffled, with a whisker of ± one standard
/// deviation over the repeats. A bar at or below 0 means shuffling the feature did not hurt.
package struct ImportanceBars: Sendable {
    /// One feature's importance.
    package struct Feature: Sendable, Equatable {
        package var name: String
        /// The mean drop of the metric.
        package var mean: Double
        /// Its standard deviation over the repeats.
        package var std: Double

        package init(name: String, mean: Double, std: Double) {
            self.name = name
            self.mean = mean
            self.std = std
        }
    }

    /// Unique on the page.
    package var id: String
    /// The chart's accessible name.
    package var title: String
    /// The metric whose drop is measured, e.g. `auc`.
    package var metric: String
    package var features: [Feature]

    /// At most this many bars; the rest are named in the description.
    static let maximumBars = 20
    static let width = 600.0
    static let labelWidth = 180.0
    static let rowHeight = 22.0

    package init(id: String, title: String = "Permutation importance", metric: String, features: [Feature]) {
        self.id = id
        self.title = title
        self.metric = metric
        self.features = features
    }

    /// Importances are small drops (0.0247): three significant digits, not two decimals.
    static func value(_ value: Double) -> String {
        String(format: "%.3g", value)
    }

    /// The chart as one `<svg>` element.
    package var svg: String {
        let id = SVG.identifier(id)
        let sorted = features.sorted { ($0.mean, $1.name) > ($1.mean, $0.name) }
        guard !sorted.isEmpty else {
            return SVG.empty(id: id, chartClass: "importance", width: Self.width, title: title, message: "no importance measured")
        }
        let shown = sorted.prefix(Self.maximumBars)
        let largest = max(shown.map { $0.mean + $0.std }.max() ?? 0, 1e-12)
        let plotWidth = Self.width - Self.labelWidth - 90
        func x(_ value: Double) -> Double { Self.labelWidth + max(0, value) / largest * plotWidth }
        var body = ""
        for (row, feature) in shown.enumerated() {
            let y = 6 + Double(row) * Self.rowHeight
            body += SVG.text(feature.name, x: Self.labelWidth - 8, y: y + 13, anchor: .end)
            body += SVG.rect(x: Self.labelWidth, y: y + 3, width: x(feature.mean) - Self.labelWidth, height: Self.rowHeight - 8,
                             attributes: [("class", "series-stable bar"), ("fill", ChartPalette.stable)])
            if feature.std > 0 {
                body += SVG.line(x1: x(feature.mean - feature.std), y1: y + Self.rowHeight / 2, x2: x(feature.mean + feature.std), y2: y + Self.rowHeight / 2,
                                 stroke: ChartPalette.foreground, attributes: [("class", "whisker")])
            }
            body += SVG.text(Self.value(feature.mean), x: x(feature.mean + feature.std) + 6, y: y + 13)
        }
        let described = sorted.map { "\($0.name) \(Self.value($0.mean)) ± \(Self.value($0.std))" }.joined(separator: ", ")
        return SVG.document(id: id, chartClass: "importance", width: Self.width, height: 12 + Double(shown.count) * Self.rowHeight,
                            title: title, description: "Drop of \(metric) when each feature is shuffled, mean ± standard deviation: \(described).",
                            content: body)
    }
}
