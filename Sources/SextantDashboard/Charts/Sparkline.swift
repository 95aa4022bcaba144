package import Foundation

/// A small line of one value over time (an online metric's history), with its lowest and
/// highest point marked and both values written beside it ("min 0.81 · max 0.93"), sized
/// for a table cell. Long histories are thinned per pixel column to its first, lowest,
/// highest and last sample, so spikes survive and the SVG stays small.
package struct Sparkline: Sendable {
    /// One sample.
    package struct Point: Sendable, Equatable {
        /// When it was measured.
        package var date: Date
        /// The value.
        package var value: Double

        /// A sample.
        package init(date: Date, value: Double) {
            self.date = date
            self.value = value
        }
    }

    /// Prefix for every id in the SVG; unique per page.
    package var id: String
    /// The chart's accessible name, e.g. "AUC over the last 24 h".
    package var title: String
    /// The samples, in any order; non-finite values are skipped.
    package var points: [Point]
    /// Appended to every value, e.g. `%` or ` ms`.
    package var unit: String

    /// A sparkline. `id` must be unique on the page.
    package init(id: String, title: String, points: [Point], unit: String = "") {
        self.id = id
        self.title = title
        self.points = points
        self.unit = unit
    }

    static let width = 240.0
    static let lineWidth = 120.0
    static let height = 28.0

    /// The chart as one `<svg>` element.
    package var svg: String {
        let id = SVG.identifier(id)
        let sorted = points.enumerated().filter { $0.element.value.isFinite }
            .sorted { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }.map(\.element)
        guard let first = sorted.first, let last = sorted.last,
              let lowest = sorted.min(by: { $0.value < $1.value }), let highest = sorted.max(by: { $0.value < $1.value })
        else {
            return SVG.empty(id: id, chartClass: "sparkline", width: Self.width, maximumWidth: Self.width * 1.5,
                             title: title, message: "No data yet.")
        }
        let span = last.date.timeIntervalSince(first.date)
        let range = highest.value - lowest.value
        func x(_ date: Date) -> Double {
            span > 0 ? 2 + date.timeIntervalSince(first.date) / span * (Self.lineWidth - 4) : Self.lineWidth / 2
        }
        func y(_ value: Double) -> Double {
            range > 0 ? Self.height - 4 - (value - lowest.value) / range * (Self.height - 8) : Self.height / 2
        }
        // Per pixel column keep the first, lowest, highest and last sample, in time order:
        // spikes survive thinning, and a column never holds more than four points.
        var kept: [Point] = []
        var column: [Point] = []
        func flush() {
            guard let head = column.first, let tail = column.last,
                  let low = column.min(by: { $0.value < $1.value }), let high = column.max(by: { $0.value < $1.value })
            else { return }
            var chosen: [Point] = []
            for point in column where (point == head || point == low || point == high || point == tail)
                && !chosen.contains(point) {
                chosen.append(point)
            }
            kept += chosen.prefix(4)
            column = []
        }
        var currentPixel = Int.min
        for point in sorted {
            let pixel = Int(x(point.date).rounded(.down))
            if pixel != currentPixel { flush(); currentPixel = pixel }
            column.append(point)
        }
        flush()

        var body = SVG.element("path", [
            ("d", SVG.polyline(kept.map { (x($0.date), y($0.value)) })), ("class", "line series-current"),
            ("stroke", ChartPalette.current), ("stroke-width", "1.5"), ("style", "fill:none"), ("stroke-linejoin", "round"),
        ])
        body += SVG.element("circle", [("cx", SVG.number(x(lowest.date))), ("cy", SVG.number(y(lowest.value))), ("r", "2.5"),
                                       ("class", "min"), ("fill", ChartPalette.foreground)])
        body += SVG.element("circle", [("cx", SVG.number(x(highest.date))), ("cy", SVG.number(y(highest.value))), ("r", "2.5"),
                                       ("class", "max"), ("fill", "#ffffff"), ("stroke", ChartPalette.foreground)])
        body += SVG.text("min " + value(lowest.value) + " \u{b7} max " + value(highest.value), x: Self.lineWidth + 8,
                         y: Self.height / 2 + 4, attributes: [("class", "range")])
        return SVG.document(id: id, chartClass: "sparkline", width: Self.width, height: Self.height,
                            maximumWidth: Self.width * 1.5, title: title,
                            description: description(sorted, lowest: lowest, highest: highest), content: body)
    }

    /// A value with its unit, for people.
    private func value(_ number: Double) -> String { SVG.label(number) + unit }

    /// The samples in words: count, span, first, last, lowest and highest.
    func description(_ sorted: [Point], lowest: Point, highest: Point) -> String {
        guard let first = sorted.first, let last = sorted.last else { return "No data yet." }
        return String(sorted.count) + (sorted.count == 1 ? " sample" : " samples") + " from "
            + ChartTime.timestamp(first.date) + " to " + ChartTime.timestamp(last.date) + ": first " + value(first.value)
            + ", last " + value(last.value) + ", lowest " + value(lowest.value) + " at " + ChartTime.timestamp(lowest.date)
            + ", highest " + value(highest.value) + " at " + ChartTime.timestamp(highest.date) + "."
    }
}
