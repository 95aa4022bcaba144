package import Foundation

/// The traffic split over time: one step line per revision of its weight (0–100 %), so a
/// rollout reads as the candidate climbing the steps while the stable falls.
///
/// Each weight holds until the revision's next point (hence steps, not slopes), and the last
/// one holds until `now` when given. Lines differ by colour class, dash pattern and a legend
/// entry. Long histories are thinned to at most two points per horizontal pixel per
/// revision, so 10,000 points cost no more than a few hundred.
package struct TrafficHistoryChart: Sendable {
    /// One observation: at `date`, `revision` received `weightPercent` % of requests.
    package struct Point: Sendable, Equatable {
        /// When the weight was observed or set.
        package var date: Date
        /// The revision's label, e.g. `r4 (v3)`; points with the same label form one line.
        package var revision: String
        /// Its share of requests, in percent (0…100).
        package var weightPercent: Double

        /// A point; `weightPercent` is in percent (90 means 90 %).
        package init(date: Date, revision: String, weightPercent: Double) {
            self.date = date
            self.revision = revision
            self.weightPercent = weightPercent
        }
    }

    /// Prefix for every id in the SVG; unique per page.
    package var id: String
    /// The chart's accessible name.
    package var title: String
    /// The observations, in any order.
    package var points: [Point]
    /// The role of each revision label; unnamed revisions take stable, candidate, shadow,
    /// other in order of first appearance.
    package var roles: [String: TrafficRole]
    /// The end of the time axis; the last weights hold until then. Nil: the last point.
    package var now: Date?

    /// A history chart. `id` must be unique on the page.
    package init(id: String, title: String = "Traffic split over time", points: [Point],
                 roles: [String: TrafficRole] = [:], now: Date? = nil) {
        self.id = id
        self.title = title
        self.points = points
        self.roles = roles
        self.now = now
    }

    static let width = 600.0
    static let plotLeft = 44.0
    static let plotRight = 584.0
    static let plotTop = 10.0
    static let plotHeight = 140.0
    /// More lines than this would be unreadable; the rest are named in the description.
    static let maximumSeries = 12
    static let dashes = ["", "6 3", "2 3", "9 3 2 3", "1 5", "12 4"]

    /// One revision's line.
    struct Series {
        var revision: String
        var role: TrafficRole
        var index: Int
        var points: [Point]
    }

    /// The chart as one `<svg>` element.
    package var svg: String {
        let id = SVG.identifier(id)
        guard let first = points.min(by: { $0.date < $1.date }), let last = points.max(by: { $0.date < $1.date }) else {
            return SVG.empty(id: id, chartClass: "traffic-history", width: Self.width, title: title,
                             message: "No traffic history yet.")
        }
        let start = first.date
        var end = max(now ?? last.date, last.date)
        if end.timeIntervalSince(start) <= 0 { end = start.addingTimeInterval(60) }
        let span = end.timeIntervalSince(start)
        let plotWidth = Self.plotRight - Self.plotLeft
        let plotBottom = Self.plotTop + Self.plotHeight
        func x(_ date: Date) -> Double { Self.plotLeft + date.timeIntervalSince(start) / span * plotWidth }
        func y(_ weight: Double) -> Double {
            plotBottom - min(max(weight.isFinite ? weight : 0, 0), 100) / 100 * Self.plotHeight
        }

        var body = ""
        for weight in [0.0, 50, 100] {
            body += SVG.line(x1: Self.plotLeft, y1: y(weight), x2: Self.plotRight, y2: y(weight),
                             stroke: weight == 0 ? ChartPalette.muted : ChartPalette.grid, attributes: [("class", "grid")])
            body += SVG.text(SVG.percent(weight), x: Self.plotLeft - 6, y: y(weight) + 4, anchor: .end,
                             attributes: [("class", "axis")])
        }
        let ticks = ChartTime.ticks(from: start, to: end, count: 5)
        for (index, tick) in ticks.enumerated() {
            let label = ChartTime.tick(tick, span: span) + (index == ticks.count - 1 ? " UTC" : "")
            let half = SVG.textWidth(label) / 2
            // Centred under its tick, unless that would run off either edge.
            let anchor: SVG.TextAnchor = x(tick) - half < 0 ? .start : (x(tick) + half > Self.width ? .end : .middle)
            body += SVG.line(x1: x(tick), y1: plotBottom, x2: x(tick), y2: plotBottom + 4, stroke: ChartPalette.muted)
            body += SVG.text(label, x: x(tick), y: plotBottom + 17, anchor: anchor, attributes: [("class", "axis")])
        }

        let allSeries = series
        let drawnSeries = allSeries.prefix(Self.maximumSeries)
        for series in drawnSeries {
            let kept = thinned(series.points, x: x)
            var vertices: [(x: Double, y: Double)] = []
            for (index, point) in kept.enumerated() {
                if index > 0 { vertices.append((x(point.date), y(kept[index - 1].weightPercent))) }
                vertices.append((x(point.date), y(point.weightPercent)))
            }
            if let final = kept.last, final.date < end { vertices.append((x(end), y(final.weightPercent))) }
            var attributes: [(String, String)] = [
                ("d", SVG.polyline(vertices)), ("class", "line " + series.role.cssClass),
                ("stroke", series.role.colour), ("stroke-width", "2"), ("style", "fill:none"),
                ("stroke-linejoin", "round"),
            ]
            let dash = Self.dashes[series.index % Self.dashes.count]
            if !dash.isEmpty { attributes.append(("stroke-dasharray", dash)) }
            body += SVG.element("path", attributes,
                                content: SVG.element("title", content: SVG.escape(series.revision)))
            if kept.count == 1, let only = kept.first {
                body += SVG.element("circle", [
                    ("cx", SVG.number(x(only.date))), ("cy", SVG.number(y(only.weightPercent))), ("r", "3.5"),
                    ("class", "point " + series.role.cssClass), ("fill", series.role.colour),
                ])
            }
        }

        // The legend: a sample of each line's colour and dash, then its name.
        var legendX = Self.plotLeft
        var legendY = plotBottom + 38
        for series in drawnSeries {
            let itemWidth = 30 + SVG.textWidth(series.revision) + 16
            if legendX + itemWidth > Self.width, legendX > Self.plotLeft {
                legendX = Self.plotLeft
                legendY += 16
            }
            var attributes: [(String, String)] = [("class", "legend " + series.role.cssClass)]
            let dash = Self.dashes[series.index % Self.dashes.count]
            if !dash.isEmpty { attributes.append(("stroke-dasharray", dash)) }
            body += SVG.line(x1: legendX, y1: legendY - 4, x2: legendX + 24, y2: legendY - 4,
                             stroke: series.role.colour, width: 2, attributes: attributes)
            body += SVG.text(series.revision, x: legendX + 30, y: legendY, attributes: [("class", "legend")])
            legendX += itemWidth
        }
        return SVG.document(id: id, chartClass: "traffic-history", width: Self.width, height: legendY + 8,
                            title: title, description: description(allSeries, start: start, end: end), content: body)
    }

    /// The points grouped per revision (order of first appearance), each sorted by time.
    var series: [Series] {
        var order: [String] = []
        var grouped: [String: [Point]] = [:]
        for point in points {
            if grouped[point.revision] == nil { order.append(point.revision) }
            grouped[point.revision, default: []].append(point)
        }
        let fallback: [TrafficRole] = [.stable, .candidate, .shadow, .other]
        return order.enumerated().map { index, revision in
            // A stable sort: points at the same instant keep the order they were given in.
            let sorted = (grouped[revision] ?? []).enumerated()
                .sorted { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }
                .map(\.element)
            return Series(revision: revision, role: roles[revision] ?? fallback[min(index, fallback.count - 1)],
                          index: index, points: sorted)
        }
    }

    /// Keeps the first and the last point of every horizontal pixel: at most two points per
    /// pixel, and a step line through them differs from the full one by under a pixel.
    func thinned(_ points: [Point], x: (Date) -> Double) -> [Point] {
        var kept: [Point] = []
        var column = Int.min
        var lastInColumn: Point?
        for point in points {
            let pixel = Int(x(point.date).rounded(.down))
            if pixel != column {
                if let pending = lastInColumn { kept.append(pending) }
                kept.append(point)
                column = pixel
                lastInColumn = nil
            } else {
                lastInColumn = point
            }
        }
        if let pending = lastInColumn { kept.append(pending) }
        return kept
    }

    /// The numbers in words: per revision every change when there are few, else its first,
    /// last, lowest and highest weight.
    func description(_ all: [Series], start: Date, end: Date) -> String {
        var text = "Traffic weight per revision from " + ChartTime.timestamp(start) + " to "
            + ChartTime.timestamp(end) + "."
        for series in all {
            text += " " + series.revision + " (" + series.role.rawValue + "): "
            if series.points.count <= 8 {
                text += series.points.map { SVG.percent($0.weightPercent) + " at " + ChartTime.clock($0.date) }
                    .joined(separator: ", ")
            } else if let first = series.points.first, let last = series.points.last {
                let weights = series.points.map(\.weightPercent)
                text += SVG.percent(first.weightPercent) + " at " + ChartTime.clock(first.date) + ", then "
                    + String(series.points.count - 2) + " more points, lowest " + SVG.percent(weights.min() ?? 0)
                    + ", highest " + SVG.percent(weights.max() ?? 0) + ", last " + SVG.percent(last.weightPercent)
                    + " at " + ChartTime.clock(last.date)
            }
            text += "."
        }
        if all.count > Self.maximumSeries {
            text += " Only the first " + String(Self.maximumSeries) + " of " + String(all.count)
                + " revisions are drawn."
        }
        return text
    }
}
