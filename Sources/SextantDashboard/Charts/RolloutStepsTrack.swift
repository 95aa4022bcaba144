/// A rollout's steps as a row of connected markers, left to right: done steps filled,
/// the current one larger and ringed, pending ones hollow, a failed one a cross; each with
/// its label ("10%", "shadow 50%") and detail ("60 s", "until promoted") under it, and the
/// rollout's verdict on a line below.
///
/// Shape and word carry the state as well as colour, so it reads in greyscale and aloud.
package struct RolloutStepsTrack: Sendable {
    /// Where a step stands.
    package enum StepState: String, Sendable, CaseIterable {
        /// Finished and judged healthy.
        case done
        /// Running now.
        case current
        /// Not reached yet.
        case pending
        /// Judged unhealthy; the rollout stopped here.
        case failed
    }

    /// The rollout's verdict so far.
    package enum Verdict: String, Sendable, CaseIterable {
        /// The objectives held.
        case passed
        /// An objective was breached.
        case failed
        /// Too few samples to tell, or still collecting.
        case inconclusive

        var tone: ChartTone {
            switch self {
            case .passed: .good
            case .failed: .bad
            case .inconclusive: .muted
            }
        }
    }

    /// One step of the rollout.
    package struct Step: Sendable, Equatable {
        /// What the step does, e.g. `10%` or `shadow 50%`.
        package var label: String
        /// Where it stands.
        package var state: StepState
        /// How long or until what, e.g. `60 s` or `until promoted`; nil for none.
        package var detail: String?

        /// A step.
        package init(label: String, state: StepState, detail: String? = nil) {
            self.label = label
            self.state = state
            self.detail = detail
        }
    }

    /// Prefix for every id in the SVG; unique per page.
    package var id: String
    /// The chart's accessible name.
    package var title: String
    /// The steps in order.
    package var steps: [Step]
    /// The verdict, nil while there is none.
    package var verdict: Verdict?
    /// Words after the verdict, e.g. "error rate 0.4% within 1% on 1,200 requests".
    package var verdictDetail: String?

    /// A steps track. `id` must be unique on the page.
    package init(id: String, title: String = "Rollout steps", steps: [Step], verdict: Verdict? = nil,
                 verdictDetail: String? = nil) {
        self.id = id
        self.title = title
        self.steps = steps
        self.verdict = verdict
        self.verdictDetail = verdictDetail
    }

    static let width = 600.0
    static let margin = 40.0
    static let trackY = 22.0

    /// The chart as one `<svg>` element.
    package var svg: String {
        let id = SVG.identifier(id)
        guard !steps.isEmpty else {
            return SVG.empty(id: id, chartClass: "rollout-steps", width: Self.width, title: title,
                             message: "No rollout steps.")
        }
        let spacing = steps.count > 1 ? (Self.width - 2 * Self.margin) / Double(steps.count - 1) : 0
        func x(_ index: Int) -> Double { steps.count > 1 ? Self.margin + Double(index) * spacing : Self.width / 2 }
        // With many steps, labels alternate between two rows so neighbours do not collide.
        let widest = steps.map { max(SVG.textWidth($0.label), SVG.textWidth($0.detail ?? "")) }.max() ?? 0
        let stagger = steps.count > 1 && widest + 8 > spacing
        var body = ""

        for index in steps.indices.dropLast() {
            let reached = steps[index + 1].state != .pending
            var attributes: [(String, String)] = [("class", reached ? "connector reached" : "connector")]
            if !reached { attributes.append(("stroke-dasharray", "4 3")) }
            body += SVG.line(x1: x(index), y1: Self.trackY, x2: x(index + 1), y2: Self.trackY,
                             stroke: reached ? ChartPalette.foreground : ChartPalette.muted, width: 2,
                             attributes: attributes)
        }
        for (index, step) in steps.enumerated() {
            let cx = x(index)
            let tooltip = SVG.element("title", content: SVG.escape(step.label + ": " + step.state.rawValue))
            let common = "step step-" + step.state.rawValue
            switch step.state {
            case .done:
                body += SVG.element("circle", [("cx", SVG.number(cx)), ("cy", SVG.number(Self.trackY)), ("r", "7"),
                                               ("class", common + " good"), ("fill", ChartPalette.good)], content: tooltip)
            case .current:
                body += SVG.element("circle", [("cx", SVG.number(cx)), ("cy", SVG.number(Self.trackY)), ("r", "12"),
                                               ("class", common + "-ring"), ("fill", "#ffffff"),
                                               ("stroke", ChartPalette.stable), ("stroke-width", "3")])
                body += SVG.element("circle", [("cx", SVG.number(cx)), ("cy", SVG.number(Self.trackY)), ("r", "6"),
                                               ("class", common + " series-candidate"), ("fill", ChartPalette.candidate)],
                                    content: tooltip)
            case .pending:
                body += SVG.element("circle", [("cx", SVG.number(cx)), ("cy", SVG.number(Self.trackY)), ("r", "7"),
                                               ("class", common + " muted"), ("fill", "#ffffff"),
                                               ("stroke", ChartPalette.muted), ("stroke-width", "2")], content: tooltip)
            case .failed:
                let arm = 7.0
                body += SVG.element("path", [
                    ("d", "M" + SVG.number(cx - arm) + "," + SVG.number(Self.trackY - arm) + " L" + SVG.number(cx + arm)
                        + "," + SVG.number(Self.trackY + arm) + " M" + SVG.number(cx + arm) + ","
                        + SVG.number(Self.trackY - arm) + " L" + SVG.number(cx - arm) + "," + SVG.number(Self.trackY + arm)),
                    ("class", common + " bad"), ("stroke", ChartPalette.bad), ("stroke-width", "4"), ("style", "fill:none"),
                ], content: tooltip)
            }
            let row = stagger && index % 2 == 1 ? 30.0 : 0
            let anchor: SVG.TextAnchor = steps.count > 1 && index == 0 && cx - widest / 2 < 0 ? .start
                : (steps.count > 1 && index == steps.count - 1 && cx + widest / 2 > Self.width ? .end : .middle)
            let labelX = anchor == .start ? max(2, cx - 10) : (anchor == .end ? min(Self.width - 2, cx + 10) : cx)
            var labelAttributes: [(String, String)] = [("class", "label step-" + step.state.rawValue)]
            if step.state == .current { labelAttributes.append(("font-weight", "700")) }
            body += SVG.text(step.label, x: labelX, y: Self.trackY + 28 + row, anchor: anchor, attributes: labelAttributes)
            if let detail = step.detail, !detail.isEmpty {
                body += SVG.toneText(detail, tone: .muted, x: labelX, y: Self.trackY + 42 + row, anchor: anchor,
                                     extraClass: "detail")
            }
        }
        var height = Self.trackY + 52 + (stagger ? 30 : 0)
        if let verdict {
            height += 14
            body += SVG.toneText(verdictLine(verdict), tone: verdict.tone, x: 4, y: height, extraClass: "verdict",
                                 attributes: [("font-weight", "600")])
            height += 8
        }
        return SVG.document(id: id, chartClass: "rollout-steps", width: Self.width, height: height,
                            title: title, description: description, content: body)
    }

    private func verdictLine(_ verdict: Verdict) -> String {
        "Verdict: " + verdict.rawValue + ((verdictDetail?.isEmpty ?? true) ? "" : " \u{2014} " + (verdictDetail ?? ""))
    }

    /// The steps and verdict in words: "Step 1 of 3, 10% (60 s): done. …".
    var description: String {
        var sentences = steps.enumerated().map { index, step in
            "Step " + String(index + 1) + " of " + String(steps.count) + ", " + step.label
                + ((step.detail?.isEmpty ?? true) ? "" : " (" + (step.detail ?? "") + ")") + ": " + step.state.rawValue + "."
        }
        if let verdict { sentences.append(verdictLine(verdict) + ".") }
        return sentences.joined(separator: " ")
    }
}
