/// Drift of one feature: for each bin, the reference share and the current share side by
/// side (reference left and hatched, current right and solid), on a y axis in percent, with
/// the feature, its drift statistic and threshold in the title.
///
/// Bar heights are proportional to shares on an axis starting at 0, so a bin twice as
/// common now is a bar twice as tall.
package struct HistogramComparison: Sendable {
    /// One bin of the feature's histogram.
    package struct Bin: Sendable, Equatable {
        /// The bin, e.g. `18–25` or `DE`.
        package var label: String
        /// Its share of the reference data (0…1).
        package var reference: Double
        /// Its share of the current data (0…1).
        package var current: Double

        /// A bin; shares are fractions (0.25 means 25 %).
        package init(label: String, reference: Double, current: Double) {
            self.label = label
            self.reference = reference
            self.current = current
        }
    }

    /// Prefix for every id in the SVG; unique per page.
    package var id: String
    /// The feature's name.
    package var feature: String
    /// The drift statistic's name, e.g. `PSI` or `Jensen-Shannon`.
    package var statistic: String
    /// Its value, nil when not computed yet.
    package var value: Double?
    /// The value above which the feature counts as drifted; nil for none.
    package var threshold: Double?
    /// The bins in order.
    package var bins: [Bin]

    /// A drift histogram. `id` must be unique on the page.
    package init(id: String, feature: String, statistic: String, value: Double?, threshold: Double?, bins: [Bin]) {
        self.id = id
        self.feature = feature
        self.statistic = statistic
        self.value = value
        self.threshold = threshold
        self.bins = bins
    }

    static let width = 600.0
    static let plotLeft = 44.0
    static let plotRight = 592.0
    static let plotTop = 24.0
    static let plotHeight = 140.0

    /// E.g. "Drift of age: PSI 0.31 (threshold 0.2, drifted)".
    var title: String {
        var text = "Drift of " + feature + ": " + statistic + " "
        text += value.map { SVG.label($0) } ?? "not computed"
        if let threshold {
            text += " (threshold " + SVG.label(threshold)
            if let value { text += value > threshold ? ", drifted" : ", within" }
            text += ")"
        }
        return text
    }

    /// The top of the y axis: the largest share rounded up to a multiple of 10 %, at least 10 %.
    var axisMaximum: Double {
        let largest = bins.flatMap { [Self.share($0.reference), Self.share($0.current)] }.max() ?? 0
        return max(0.1, (largest * 10).rounded(.up) / 10)
    }

    /// The chart as one `<svg>` element.
    package var svg: String {
        let id = SVG.identifier(id)
        guard !bins.isEmpty else {
            return SVG.empty(id: id, chartClass: "histogram", width: Self.width, title: title,
                             message: "No histogram for " + feature + " yet.")
        }
        let top = axisMaximum
        let plotBottom = Self.plotTop + Self.plotHeight
        func y(_ share: Double) -> Double { plotBottom - Self.share(share) / top * Self.plotHeight }
        var body = SVG.element("defs", content: SVG.element("pattern", [
            ("id", id + "-hatch"), ("width", "5"), ("height", "5"), ("patternUnits", "userSpaceOnUse"),
            ("patternTransform", "rotate(45)"),
        ], content: SVG.line(x1: 0, y1: 0, x2: 0, y2: 5, stroke: "#ffffff", width: 2)))

        // Legend, top right: a swatch and the word for each series.
        let legend: [(String, String, String, Bool)] = [
            ("reference", "series-reference", ChartPalette.reference, true),
            ("current", "series-current", ChartPalette.current, false),
        ]
        var legendX = Self.plotRight - 170
        for (word, cssClass, colour, hatched) in legend {
            body += SVG.rect(x: legendX, y: 4, width: 12, height: 12,
                             attributes: [("class", "legend " + cssClass), ("fill", colour)])
            if hatched {
                body += SVG.rect(x: legendX, y: 4, width: 12, height: 12, attributes: [("fill", "url(#" + id + "-hatch)")])
            }
            body += SVG.text(word, x: legendX + 16, y: 14, attributes: [("class", "legend")])
            legendX += 90
        }

        for step in 0...4 {
            let share = top * Double(step) / 4
            body += SVG.line(x1: Self.plotLeft, y1: y(share), x2: Self.plotRight, y2: y(share),
                             stroke: step == 0 ? ChartPalette.muted : ChartPalette.grid, attributes: [("class", "grid")])
            body += SVG.text(SVG.percent(share * 100, decimals: 1), x: Self.plotLeft - 6, y: y(share) + 4, anchor: .end,
                             attributes: [("class", "axis")])
        }

        let slot = (Self.plotRight - Self.plotLeft) / Double(bins.count)
        let barWidth = max(1, min(40, slot * 0.4))
        // Label every bin while they fit; otherwise every n-th, so labels never overlap.
        let widestLabel = bins.map { SVG.textWidth($0.label) }.max() ?? 0
        let labelEvery = max(1, Int(((widestLabel + 6) / slot).rounded(.up)))
        for (index, bin) in bins.enumerated() {
            let centre = Self.plotLeft + slot * (Double(index) + 0.5)
            let referenceX = centre - barWidth - 1
            let currentX = centre + 1
            body += SVG.element("rect", [
                ("x", SVG.number(referenceX)), ("y", SVG.number(y(bin.reference))),
                ("width", SVG.number(barWidth)), ("height", SVG.number(plotBottom - y(bin.reference))),
                ("class", "bar series-reference"), ("fill", ChartPalette.reference),
            ], content: SVG.element("title", content: SVG.escape(bin.label + ", reference: " + Self.words(bin.reference))))
            body += SVG.rect(x: referenceX, y: y(bin.reference), width: barWidth, height: plotBottom - y(bin.reference),
                             attributes: [("class", "hatch"), ("fill", "url(#" + id + "-hatch)")])
            body += SVG.element("rect", [
                ("x", SVG.number(currentX)), ("y", SVG.number(y(bin.current))),
                ("width", SVG.number(barWidth)), ("height", SVG.number(plotBottom - y(bin.current))),
                ("class", "bar series-current"), ("fill", ChartPalette.current),
            ], content: SVG.element("title", content: SVG.escape(bin.label + ", current: " + Self.words(bin.current))))
            if index % labelEvery == 0 {
                body += SVG.text(bin.label, x: centre, y: plotBottom + 16, anchor: .middle, attributes: [("class", "axis")])
            }
        }
        return SVG.document(id: id, chartClass: "histogram", width: Self.width, height: plotBottom + 24,
                            title: title, description: description, content: body)
    }

    /// Every bin's two shares in words.
    var description: String {
        "Share of " + feature + " per bin, reference then current: "
            + bins.map { $0.label + ": " + Self.words($0.reference) + " then " + Self.words($0.current) }
            .joined(separator: "; ") + "."
    }

    /// A share drawn: clamped to 0…1, non-finite as 0.
    static func share(_ value: Double) -> Double {
        value.isFinite ? min(max(value, 0), 1) : 0
    }

    static func words(_ share: Double) -> String {
        SVG.percent(share * 100, decimals: 1)
    }
}
