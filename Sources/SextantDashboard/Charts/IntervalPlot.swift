/// An experiment's result: the measured difference (candidate minus control) with its
/// fixed-horizon interval and, when the experiment runs sequentially, its always-valid
/// interval, each a horizontal whisker around a vertical line at 0. The interval that
/// decides is drawn heavier and says so.
///
/// An interval that straddles 0 cannot tell the arms apart; one wholly on one side can.
/// That is the reading the chart is for, so 0 is always on the axis.
package struct IntervalPlot: Sendable {
    /// A confidence interval, lower and upper bound in the difference's unit.
    package struct Interval: Sendable, Equatable {
        /// The lower bound.
        package var lower: Double
        /// The upper bound.
        package var upper: Double

        /// An interval; bounds given in either order are put in order.
        package init(lower: Double, upper: Double) {
            self.lower = min(lower, upper)
            self.upper = max(lower, upper)
        }

        /// Whether 0 lies within the interval (bounds included).
        package var containsZero: Bool { lower <= 0 && 0 <= upper }
    }

    /// Which interval the decision rests on.
    package enum Decider: String, Sendable, CaseIterable {
        /// The classical interval, valid once the planned sample size is reached.
        case fixedHorizon = "fixed-horizon"
        /// The sequential interval, valid at every look (wider, so peeking is safe).
        case alwaysValid = "always-valid"
    }

    /// Prefix for every id in the SVG; unique per page.
    package var id: String
    /// The chart's accessible name, e.g. "conversion: candidate − control".
    package var title: String
    /// The observed difference; nil before there is data.
    package var difference: Double?
    /// The fixed-horizon interval; nil while there is none.
    package var fixedHorizon: Interval?
    /// The always-valid (sequential) interval; nil when not used or not yet computed.
    package var alwaysValid: Interval?
    /// The interval the decision rests on; nil when none decides yet.
    package var deciding: Decider?
    /// Appended to every value, e.g. ` pp` or ` €`. Values carry at most two decimals, so
    /// pass them in a unit where that is enough (percentage points, not fractions).
    package var unit: String
    /// The confidence level's words, e.g. `95%`.
    package var confidence: String

    /// An interval plot. `id` must be unique on the page.
    package init(id: String, title: String, difference: Double?, fixedHorizon: Interval?,
                 alwaysValid: Interval? = nil, deciding: Decider? = nil, unit: String = "", confidence: String = "95%") {
        self.id = id
        self.title = title
        self.difference = difference
        self.fixedHorizon = fixedHorizon
        self.alwaysValid = alwaysValid
        self.deciding = deciding
        self.unit = unit
        self.confidence = confidence
    }

    static let width = 600.0
    static let plotLeft = 130.0
    static let plotRight = 560.0
    static let rowHeight = 40.0
    /// A white outline behind text so a line passing under it does not cut through.
    static let halo: [(String, String)] = [("stroke", "#ffffff"), ("stroke-width", "3"), ("paint-order", "stroke")]

    /// The value axis: 0, the difference and every bound, with a 10 % margin each side.
    var domain: (low: Double, high: Double) {
        var values = [0.0]
        if let difference, difference.isFinite { values.append(difference) }
        for interval in [fixedHorizon, alwaysValid].compactMap({ $0 }) {
            values += [interval.lower, interval.upper].filter(\.isFinite)
        }
        let low = values.min() ?? 0
        let high = values.max() ?? 0
        let pad = high > low ? (high - low) * 0.1 : 1
        return (low - pad, high + pad)
    }

    /// The chart as one `<svg>` element.
    package var svg: String {
        let id = SVG.identifier(id)
        guard difference != nil || fixedHorizon != nil || alwaysValid != nil else {
            return SVG.empty(id: id, chartClass: "interval", width: Self.width, title: title, message: "No interval yet.")
        }
        let (low, high) = domain
        func x(_ value: Double) -> Double {
            let clamped = value.isFinite ? min(max(value, low), high) : 0
            return Self.plotLeft + (clamped - low) / (high - low) * (Self.plotRight - Self.plotLeft)
        }
        var rows: [(Decider, Interval?)] = [(.fixedHorizon, fixedHorizon)]
        if alwaysValid != nil || deciding == .alwaysValid { rows.append((.alwaysValid, alwaysValid)) }
        let top = 24.0
        let bottom = top + Double(rows.count) * Self.rowHeight
        // The zero line first: whiskers cross it and value labels (with a white halo) stay legible over it.
        var body = SVG.line(x1: x(0), y1: top - 4, x2: x(0), y2: bottom + 2, stroke: ChartPalette.bad, width: 1.5,
                            attributes: [("class", "zero")])
        body += SVG.text("0", x: x(0), y: bottom + 16, anchor: .middle, attributes: [("class", "axis zero-label")])
        if let difference {
            body += SVG.text("difference " + value(difference), x: x(difference), y: 14, anchor: .middle,
                             attributes: [("class", "difference"), ("font-weight", "600")])
            body += SVG.line(x1: x(difference), y1: 18, x2: x(difference), y2: bottom, stroke: ChartPalette.foreground,
                             attributes: [("class", "difference-line"), ("stroke-dasharray", "2 3")])
        }
        for (index, row) in rows.enumerated() {
            let (kind, interval) = row
            let y = top + Double(index) * Self.rowHeight + Self.rowHeight / 2
            let decides = deciding == kind
            body += SVG.text(kind.rawValue + " " + confidence, x: 4, y: y - 2, attributes: [("class", "row-label")])
            if decides {
                body += SVG.text("decides", x: 4, y: y + 12, attributes: [("class", "decides"), ("font-weight", "700")])
            }
            guard let interval else {
                body += SVG.toneText("no interval yet", tone: .muted, x: Self.plotLeft + 4, y: y + 4, extraClass: "no-interval")
                continue
            }
            let tone: ChartTone = interval.containsZero ? .muted : .good
            let stroke = decides ? 4.0 : 2.0
            let cssClass = "whisker " + kind.rawValue + (decides ? " deciding" : "")
            body += SVG.element("line", [
                ("x1", SVG.number(x(interval.lower))), ("y1", SVG.number(y)),
                ("x2", SVG.number(x(interval.upper))), ("y2", SVG.number(y)),
                ("class", cssClass), ("stroke", decides ? ChartPalette.foreground : ChartPalette.muted),
                ("stroke-width", SVG.number(stroke)),
            ], content: SVG.element("title", content: SVG.escape(kind.rawValue + ": " + words(interval))))
            for bound in [interval.lower, interval.upper] {
                body += SVG.line(x1: x(bound), y1: y - 7, x2: x(bound), y2: y + 7,
                                 stroke: decides ? ChartPalette.foreground : ChartPalette.muted, width: stroke,
                                 attributes: [("class", "cap")])
            }
            body += SVG.text(value(interval.lower), x: x(interval.lower) - 4, y: y + 16, anchor: .end,
                             attributes: Self.halo + [("class", "bound")])
            body += SVG.text(value(interval.upper), x: x(interval.upper) + 4, y: y + 16,
                             attributes: Self.halo + [("class", "bound")])
            if let difference {
                body += SVG.element("circle", [("cx", SVG.number(x(difference))), ("cy", SVG.number(y)), ("r", "4"),
                                               ("class", "estimate " + tone.rawValue), ("fill", ChartPalette.foreground)])
            }
        }
        return SVG.document(id: id, chartClass: "interval", width: Self.width, height: bottom + 22,
                            title: title, description: description, content: body)
    }

    private func value(_ number: Double) -> String { SVG.label(number) + unit }

    private func words(_ interval: Interval) -> String {
        "from " + value(interval.lower) + " to " + value(interval.upper)
            + (interval.containsZero ? ", includes 0" : ", excludes 0")
    }

    /// The numbers in words.
    var description: String {
        var sentences = ["Difference " + (difference.map(value) ?? "not measured yet") + "."]
        for (kind, interval) in [(Decider.fixedHorizon, fixedHorizon), (.alwaysValid, alwaysValid)] {
            if kind == .alwaysValid && interval == nil && deciding != .alwaysValid { continue }
            var sentence = kind.rawValue.prefix(1).uppercased() + kind.rawValue.dropFirst() + " " + confidence
                + " interval: " + (interval.map(words) ?? "no interval yet")
            if deciding == kind { sentence += "; this interval decides" }
            sentences.append(sentence + ".")
        }
        return sentences.joined(separator: " ")
    }
}
