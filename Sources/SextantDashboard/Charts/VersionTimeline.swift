package import Foundation

/// A model's versions and revisions on one horizontal time axis: a mark for every entry
/// (a circle for a version, a square for a revision, a triangle for a promotion, a cross
/// for a rollback) and labels staggered over four lanes.
///
/// Every mark is kept; labels are thinned to at most `maximumLabels` (promotions and
/// rollbacks first, then the newest), and a label is dropped rather than drawn over
/// another, so 100 entries stay legible at 600 px. Each mark has a tooltip and the
/// description lists every entry.
package struct VersionTimeline: Sendable {
    /// What an entry marks.
    package enum Kind: String, Sendable, CaseIterable {
        /// A model version registered (trained or imported).
        case version
        /// A serving revision created.
        case revision
        /// A candidate promoted to stable.
        case promoted
        /// A rollout rolled back.
        case rolledBack = "rolled back"
    }

    /// One event on the timeline.
    package struct Entry: Sendable, Equatable {
        /// When it happened.
        package var date: Date
        /// Its short name, e.g. `v3` or `r7`.
        package var label: String
        /// More words, e.g. `trained on 2026-11-30, AUC 0.91`.
        package var detail: String
        /// What it marks.
        package var kind: Kind

        /// An entry.
        package init(date: Date, label: String, detail: String = "", kind: Kind) {
            self.date = date
            self.label = label
            self.detail = detail
            self.kind = kind
        }
    }

    /// Prefix for every id in the SVG; unique per page.
    package var id: String
    /// The chart's accessible name.
    package var title: String
    /// The entries, in any order.
    package var entries: [Entry]

    /// A timeline. `id` must be unique on the page.
    package init(id: String, title: String = "Versions and revisions", entries: [Entry]) {
        self.id = id
        self.title = title
        self.entries = entries
    }

    static let width = 600.0
    static let plotLeft = 16.0
    static let plotRight = 584.0
    static let axisY = 64.0
    static let maximumLabels = 40
    /// Lanes for labels: two above the axis, two below, nearest first.
    static let lanes: [Double] = [-12, 22, -28, 38]

    /// The chart as one `<svg>` element.
    package var svg: String {
        let id = SVG.identifier(id)
        let sorted = entries.enumerated().sorted { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }
            .map(\.element)
        guard let first = sorted.first, let last = sorted.last else {
            return SVG.empty(id: id, chartClass: "timeline", width: Self.width, title: title,
                             message: "No versions or revisions yet.")
        }
        var end = last.date
        if end.timeIntervalSince(first.date) <= 0 { end = first.date.addingTimeInterval(60) }
        let span = end.timeIntervalSince(first.date)
        let single = sorted.count == 1
        func x(_ date: Date) -> Double {
            single ? (Self.plotLeft + Self.plotRight) / 2
                : Self.plotLeft + date.timeIntervalSince(first.date) / span * (Self.plotRight - Self.plotLeft)
        }

        var body = SVG.line(x1: Self.plotLeft, y1: Self.axisY, x2: Self.plotRight, y2: Self.axisY,
                            stroke: ChartPalette.muted, width: 2, attributes: [("class", "axis")])
        for tick in ChartTime.ticks(from: first.date, to: end, count: single ? 1 : 4) {
            let text = span >= 86_400 ? ChartTime.day(tick) : ChartTime.tick(tick, span: span) + " UTC"
            let half = SVG.textWidth(text) / 2
            let anchor: SVG.TextAnchor = x(tick) - half < 0 ? .start : (x(tick) + half > Self.width ? .end : .middle)
            body += SVG.toneText(text, tone: .muted, x: x(tick), y: 124, anchor: anchor, extraClass: "axis")
        }
        for entry in sorted {
            body += mark(entry, x: x(entry.date))
        }
        for (entry, lane) in labelled(sorted, x: x) {
            let cx = x(entry.date)
            let y = Self.axisY + Self.lanes[lane]
            let width = SVG.textWidth(entry.label)
            let labelX = min(max(cx - width / 2, 0), Self.width - width)
            body += SVG.line(x1: cx, y1: Self.axisY + (y < Self.axisY ? -7 : 7), x2: cx, y2: y < Self.axisY ? y + 3 : y - 11,
                             stroke: ChartPalette.grid, attributes: [("class", "leader")])
            body += SVG.text(entry.label, x: labelX, y: y, attributes: [("class", "label kind-" + Self.slug(entry.kind))])
        }
        return SVG.document(id: id, chartClass: "timeline", width: Self.width, height: 132, title: title,
                            description: description(sorted), content: body)
    }

    /// The entries that get a label, each with its lane. Promotions and rollbacks are
    /// chosen first, then the newest; a label goes on the nearest lane where it overlaps
    /// no other, or is left off.
    func labelled(_ sorted: [Entry], x: (Date) -> Double) -> [(Entry, Int)] {
        let priority = sorted.indices.sorted { left, right in
            let leftKey = (sorted[left].kind == .promoted || sorted[left].kind == .rolledBack) ? 0 : 1
            let rightKey = (sorted[right].kind == .promoted || sorted[right].kind == .rolledBack) ? 0 : 1
            return leftKey != rightKey ? leftKey < rightKey : left > right
        }
        var occupied: [[(Double, Double)]] = Self.lanes.map { _ in [] }
        var chosen: [(Int, Int)] = []
        for index in priority where chosen.count < Self.maximumLabels {
            let width = SVG.textWidth(sorted[index].label)
            let start = min(max(x(sorted[index].date) - width / 2, 0), Self.width - width)
            let span = (start - 4, start + width + 4)
            if let lane = occupied.indices.first(where: { lane in
                occupied[lane].allSatisfy { $0.1 <= span.0 || span.1 <= $0.0 }
            }) {
                occupied[lane].append(span)
                chosen.append((index, lane))
            }
        }
        return chosen.sorted { $0.0 < $1.0 }.map { (sorted[$0.0], $0.1) }
    }

    private func mark(_ entry: Entry, x cx: Double) -> String {
        let y = Self.axisY
        let tooltip = SVG.element("title", content: SVG.escape(
            entry.label + " (" + entry.kind.rawValue + ") " + ChartTime.timestamp(entry.date)
                + (entry.detail.isEmpty ? "" : ": " + entry.detail)))
        let cssClass = "mark kind-" + Self.slug(entry.kind)
        switch entry.kind {
        case .version:
            return SVG.element("circle", [("cx", SVG.number(cx)), ("cy", SVG.number(y)), ("r", "5"),
                                          ("class", cssClass + " series-stable"), ("fill", ChartPalette.stable),
                                          ("stroke", "#ffffff")], content: tooltip)
        case .revision:
            return SVG.element("rect", [("x", SVG.number(cx - 3.5)), ("y", SVG.number(y - 3.5)), ("width", "7"),
                                        ("height", "7"), ("class", cssClass + " series-candidate"),
                                        ("fill", ChartPalette.candidate), ("stroke", "#ffffff")], content: tooltip)
        case .promoted:
            return SVG.element("path", [
                ("d", SVG.polyline([(cx, y - 7), (cx + 6, y + 4), (cx - 6, y + 4)]) + " Z"),
                ("class", cssClass + " good"), ("fill", ChartPalette.good), ("stroke", "#ffffff"),
            ], content: tooltip)
        case .rolledBack:
            return SVG.element("path", [
                ("d", SVG.polyline([(cx - 5, y - 5), (cx + 5, y + 5)]) + " " + SVG.polyline([(cx + 5, y - 5), (cx - 5, y + 5)])),
                ("class", cssClass + " bad"), ("stroke", ChartPalette.bad), ("stroke-width", "3"), ("style", "fill:none"),
            ], content: tooltip)
        }
    }

    static func slug(_ kind: Kind) -> String {
        kind == .rolledBack ? "rolled-back" : kind.rawValue
    }

    /// Every entry in words, oldest first.
    func description(_ sorted: [Entry]) -> String {
        String(sorted.count) + (sorted.count == 1 ? " entry" : " entries") + ", oldest first: "
            + sorted.map { entry in
                entry.label + " " + entry.kind.rawValue + " at " + ChartTime.timestamp(entry.date)
                    + (entry.detail.isEmpty ? "" : " (" + entry.detail + ")")
            }.joined(separator: "; ") + "."
    }
}
