import Foundation

/// The traffic split now, as one horizontal bar from 0 to 100 %: a segment per revision,
/// width proportional to its weight, labelled inside when it fits and below when not
/// ("r3 (v2) stable 90%"). A shadow's mirrored traffic is a hatched band under the bar,
/// as wide as the share of requests it receives copies of.
///
/// Weights are drawn as given: if they do not add up to 100 (a split being edited, a
/// revision missing from status) the bar shows the gap or the overflow and the description
/// says so, rather than normalising and hiding the problem.
package struct TrafficSplitBar: Sendable {
    /// One revision's place in the split.
    package struct Segment: Sendable, Equatable {
        /// How the revision is named, e.g. `r3 (v2) stable`.
        package var label: String
        /// What the revision does with traffic; picks the colour class.
        package var role: TrafficRole
        /// Its share of live requests, in percent (0…100).
        package var weightPercent: Double
        /// The share of requests mirrored to it, in percent, for a shadow; nil when none.
        package var mirrorPercent: Double?

        /// A segment; `weightPercent` and `mirrorPercent` are in percent (90 means 90 %).
        package init(label: String, role: TrafficRole, weightPercent: Double, mirrorPercent: Double? = nil) {
            self.label = label
            self.role = role
            self.weightPercent = weightPercent
            self.mirrorPercent = mirrorPercent
        }
    }

    /// Prefix for every id in the SVG; unique per page.
    package var id: String
    /// The chart's accessible name.
    package var title: String
    /// The segments, drawn left to right in this order.
    package var segments: [Segment]

    /// A split bar. `id` must be unique on the page (it prefixes the SVG's ids).
    package init(id: String, title: String = "Traffic split now", segments: [Segment]) {
        self.id = id
        self.title = title
        self.segments = segments
    }

    static let width = 600.0
    static let margin = 8.0
    static let barTop = 18.0
    static let barHeight = 34.0
    static let laneHeight = 16.0

    /// The chart as one `<svg>` element.
    package var svg: String {
        let id = SVG.identifier(id)
        guard !segments.isEmpty else {
            return SVG.empty(id: id, chartClass: "traffic-split", width: Self.width, title: title,
                             message: "No traffic split yet.")
        }
        let barWidth = Self.width - 2 * Self.margin
        let total = segments.reduce(0) { $0 + drawn($1.weightPercent) }
        let scaleMax = max(100, total)
        let perPercent = barWidth / scaleMax
        var body = ""

        // The scale above the bar: 0 %, 50 %, 100 % (100 % inside the bar when weights overflow).
        for tick in [0.0, 50, 100] {
            let x = Self.margin + tick * perPercent
            let anchor: SVG.TextAnchor = tick == 0 ? .start : (x >= Self.width - Self.margin - 1 ? .end : .middle)
            body += SVG.text(SVG.percent(tick), x: x, y: 12, anchor: anchor,
                             attributes: [("class", "axis muted")])
            body += SVG.line(x1: x, y1: Self.barTop - 3, x2: x, y2: Self.barTop + Self.barHeight + 3,
                             stroke: ChartPalette.muted, attributes: [("class", "tick")])
        }
        // The track: shows any part of 100 % no revision receives.
        body += SVG.rect(x: Self.margin, y: Self.barTop, width: barWidth, height: Self.barHeight,
                         attributes: [("class", "track"), ("fill", "#ffffff"), ("stroke", ChartPalette.grid)])

        var x = Self.margin
        var below: [(text: String, centre: Double)] = []
        for segment in segments {
            let width = drawn(segment.weightPercent) * perPercent
            let text = segment.label + " " + SVG.percent(segment.weightPercent)
            defer { x += width }
            guard width > 0 else { continue }
            body += SVG.element("rect", [
                ("x", SVG.number(x)), ("y", SVG.number(Self.barTop)),
                ("width", SVG.number(width)), ("height", SVG.number(Self.barHeight)),
                ("class", "segment " + segment.role.cssClass), ("fill", segment.role.colour),
                ("stroke", "#ffffff"), ("stroke-width", "1"),
            ], content: SVG.element("title", content: SVG.escape(text)))
            if SVG.textWidth(text) + 8 <= width {
                // White on every series colour is above 4.5:1; inline style so the page's
                // `svg text` rule does not turn it dark on a dark segment.
                body += SVG.text(text, x: x + width / 2, y: Self.barTop + Self.barHeight / 2 + 4, anchor: .middle,
                                 attributes: [("class", "label inside"), ("style", "fill:#ffffff")])
            } else {
                below.append((text, x + width / 2))
            }
        }

        // Labels that do not fit go below the bar, each on the first lane where it does not
        // overlap the previous one, with a leader line to its segment.
        var laneEnds: [Double] = []
        let firstLane = Self.barTop + Self.barHeight + 16
        for label in below {
            let width = SVG.textWidth(label.text)
            let start = min(max(Self.margin, label.centre - width / 2), Self.width - Self.margin - width)
            let lane = laneEnds.firstIndex { $0 + 6 <= start } ?? laneEnds.count
            if lane == laneEnds.count { laneEnds.append(start + width) } else { laneEnds[lane] = start + width }
            let y = firstLane + Double(lane) * Self.laneHeight
            body += SVG.line(x1: label.centre, y1: Self.barTop + Self.barHeight, x2: label.centre, y2: y - 10,
                             stroke: ChartPalette.muted, attributes: [("class", "leader")])
            body += SVG.text(label.text, x: start, y: y, attributes: [("class", "label below")])
        }

        // Mirrored traffic: a hatched band per shadow, under the labels.
        var y = laneEnds.isEmpty ? Self.barTop + Self.barHeight + 8 : firstLane + Double(laneEnds.count - 1) * Self.laneHeight + 10
        let mirrored = segments.filter { ($0.mirrorPercent ?? 0) > 0 }
        if !mirrored.isEmpty {
            body += SVG.element("defs", content: SVG.element("pattern", [
                ("id", id + "-hatch"), ("width", "6"), ("height", "6"),
                ("patternUnits", "userSpaceOnUse"), ("patternTransform", "rotate(45)"),
            ], content: SVG.rect(x: 0, y: 0, width: 6, height: 6, attributes: [("fill", "#ffffff")])
                + SVG.line(x1: 0, y1: 0, x2: 0, y2: 6, stroke: ChartPalette.shadow, width: 3,
                           attributes: [("class", "series-shadow")])))
        }
        for segment in mirrored {
            let mirror = segment.mirrorPercent ?? 0
            let width = min(mirror, scaleMax) * perPercent
            let text = segment.label + " mirrors " + SVG.percent(mirror)
            body += SVG.element("rect", [
                ("x", SVG.number(Self.margin)), ("y", SVG.number(y)),
                ("width", SVG.number(width)), ("height", "14"),
                ("class", "mirror"), ("fill", "url(#" + id + "-hatch)"),
                ("stroke", segment.role.colour), ("stroke-width", "1"),
            ], content: SVG.element("title", content: SVG.escape(text)))
            let fitsAfter = Self.margin + width + 6 + SVG.textWidth(text) <= Self.width - Self.margin
            body += SVG.text(text, x: fitsAfter ? Self.margin + width + 6 : Self.width - Self.margin, y: y + 11,
                             anchor: fitsAfter ? .start : .end, attributes: [("class", "label mirror")])
            y += 20
        }
        let height = y + 4
        return SVG.document(id: id, chartClass: "traffic-split", width: Self.width, height: height,
                            title: title, description: description, content: body)
    }

    /// The numbers in words, e.g. "r3 (v2) stable: 90% of requests. r5 shadow: 0% of
    /// requests, mirrors 50%. The weights sum to 90%, not 100%."
    var description: String {
        var sentences = segments.map { segment in
            var sentence = segment.label + " (" + segment.role.rawValue + "): " + SVG.percent(segment.weightPercent)
                + " of requests"
            if let mirror = segment.mirrorPercent, mirror > 0 {
                sentence += ", receives a mirrored copy of " + SVG.percent(mirror)
            }
            return sentence + "."
        }
        let sum = segments.reduce(0) { $0 + $1.weightPercent }
        if abs(sum - 100) > 0.005 {
            sentences.append("The weights sum to " + SVG.percent(sum) + ", not 100%.")
        }
        return "Traffic split: " + sentences.joined(separator: " ")
    }

    /// A weight as drawn: negative or non-finite weights take no room.
    private func drawn(_ weight: Double) -> Double {
        weight.isFinite ? max(0, weight) : 0
    }
}
