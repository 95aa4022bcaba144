/// An SLO's error budget as a bar: the part still left filled, the spent part empty, and
/// the sentence under it ("62% of the error budget left", "budget exhausted (−14%)").
///
/// The remaining fraction can be negative (more bad events than the target allows) or above
/// one (nothing spent yet, rounding); the bar is clamped to 0…100 % so it stays inside its
/// frame, and the words always give the true value.
package struct BudgetBar: Sendable {
    /// Prefix for every id in the SVG; unique per page.
    package var id: String
    /// The SLO's objective, e.g. `availability` or `p99 latency under 300 ms`.
    package var objective: String
    /// The target as a fraction, e.g. 0.999.
    package var target: Double
    /// The error budget still left as a fraction of the whole: 0.62 is 62 %, −0.14 overspent.
    /// NaN when there is no sample to judge by.
    package var remainingFraction: Double

    /// A budget bar. `target` and `remainingFraction` are fractions (0.62 means 62 %).
    package init(id: String, objective: String, target: Double, remainingFraction: Double) {
        self.id = id
        self.objective = objective
        self.target = target
        self.remainingFraction = remainingFraction
    }

    static let width = 240.0
    static let barHeight = 12.0

    /// The chart's accessible name, e.g. "Error budget of availability (target 99.9%)".
    var title: String {
        "Error budget of " + objective + " (target " + SVG.percent(target * 100, decimals: 2) + ")"
    }

    /// What the bar says: how much is left, or by how much it is overspent.
    var summary: String {
        guard remainingFraction.isFinite else { return "error budget unknown (no samples yet)" }
        let percent = remainingFraction * 100
        if SVG.number(percent, decimals: 0) == "0" || percent < 0 {
            return "budget exhausted (" + SVG.percent(percent, decimals: 0) + ")"
        }
        return SVG.percent(percent, decimals: 0) + " of the error budget left"
    }

    /// The fraction of the bar drawn filled, clamped to 0…1.
    var drawnFraction: Double {
        remainingFraction.isFinite ? min(max(remainingFraction, 0), 1) : 0
    }

    /// The chart as one `<svg>` element.
    package var svg: String {
        let id = SVG.identifier(id)
        let tone: ChartTone = !remainingFraction.isFinite ? .muted : (drawnFraction > 0.25 ? .good : .bad)
        let frameWidth = Self.width - 2
        var body = SVG.rect(x: 1, y: 1, width: frameWidth, height: Self.barHeight,
                            attributes: [("class", "budget-frame"), ("fill", "#ffffff"),
                                         ("stroke", tone == .bad ? ChartPalette.bad : ChartPalette.muted)])
        body += SVG.element("rect", [
            ("x", "1"), ("y", "1"), ("width", SVG.number(frameWidth * drawnFraction)),
            ("height", SVG.number(Self.barHeight)), ("class", "budget-left " + tone.rawValue),
            ("color", tone.colour), ("style", "fill:currentColor"),
        ])
        body += SVG.toneText(summary, tone: tone, x: 1, y: Self.barHeight + 15, extraClass: "summary")
        return SVG.document(id: id, chartClass: "budget", width: Self.width, height: Self.barHeight + 20,
                            maximumWidth: Self.width * 1.5,
                            title: title, description: title + ": " + summary + ".", content: body)
    }
}
