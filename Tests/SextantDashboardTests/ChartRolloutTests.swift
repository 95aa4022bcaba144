import Testing
@testable import SextantDashboard

@Suite struct ChartRolloutTests {
    let steps: [RolloutStepsTrack.Step] = [
        .init(label: "shadow 50%", state: .done, detail: "60 s"),
        .init(label: "10%", state: .done, detail: "60 s"),
        .init(label: "50%", state: .current, detail: "120 s"),
        .init(label: "100%", state: .pending, detail: "until promoted"),
    ]

    @Test("the steps track shows every step's state by shape and word, the current one emphasised")
    func stepsTrack() throws {
        let track = RolloutStepsTrack(id: "steps", steps: steps, verdict: .passed, verdictDetail: "error rate 0.4% < 1%")
        let root = try expectAccessible(track.svg, title: "Rollout steps", descContains: [
            "Step 1 of 4, shadow 50% (60 s): done.", "Step 3 of 4, 50% (120 s): current.",
            "Step 4 of 4, 100% (until promoted): pending.", "Verdict: passed \u{2014} error rate 0.4% < 1%.",
        ])
        #expect(root.all(class: "step-done").filter { $0.name == "circle" }.count == 2)
        #expect(root.all(class: "step-pending").filter { $0.name == "circle" }.count == 1)
        let current = try #require(root.all(class: "step-current-ring").first)
        let done = try #require(root.all(class: "step-done").first { $0.name == "circle" })
        #expect(try #require(current.number("r")) > (try #require(done.number("r"))), "the current step is larger")
        #expect(root.all("text").first { $0.text == "50%" }?.attributes["font-weight"] == "700")
        let verdict = try #require(root.all(class: "verdict").first)
        #expect(verdict.attributes["class"] == "good verdict")
        #expect(verdict.text == "Verdict: passed \u{2014} error rate 0.4% < 1%")
        #expect(root.all(class: "connector").count == 3)
        #expect(root.all(class: "connector").last?.attributes["stroke-dasharray"] != nil, "the way ahead is dashed")
    }

    @Test("each verdict gets its class and word", arguments: [
        (RolloutStepsTrack.Verdict.passed, "good"), (.failed, "bad"), (.inconclusive, "muted"),
    ])
    func verdicts(verdict: RolloutStepsTrack.Verdict, tone: String) throws {
        let failedSteps = [RolloutStepsTrack.Step(label: "10%", state: verdict == .failed ? .failed : .done)]
        let root = try expectAccessible(RolloutStepsTrack(id: "v", steps: failedSteps, verdict: verdict).svg,
                                        descContains: ["Verdict: " + verdict.rawValue + "."])
        #expect(root.all(class: "verdict").first?.attributes["class"] == tone + " verdict")
        if verdict == .failed { #expect(root.all(class: "step-failed").first?.name == "path", "a failed step is a cross") }
    }

    @Test("many steps stagger their labels onto two rows")
    func manySteps() throws {
        let many = (1...12).map { RolloutStepsTrack.Step(label: "shadow \($0 * 8)%", state: $0 < 5 ? .done : .pending,
                                                        detail: "until promoted") }
        let root = try expectAccessible(RolloutStepsTrack(id: "m", steps: many).svg)
        let rows = Set(root.all(class: "label").compactMap { $0.attributes["y"] })
        #expect(rows.count == 2)
    }

    @Test("no steps is a valid SVG that says so")
    func noSteps() throws {
        _ = try expectAccessible(RolloutStepsTrack(id: "none", steps: []).svg, descContains: ["No rollout steps."])
    }

    @Test("the budget bar is clamped to 0…100% but says the true value", arguments: [
        (0.62, 0.62, "62% of the error budget left", "good"),
        (-0.14, 0, "budget exhausted (\u{2212}14%)", "bad"),
        (1.3, 1, "130% of the error budget left", "good"),
        (0.1, 0.1, "10% of the error budget left", "bad"),
        (0, 0, "budget exhausted (0%)", "bad"),
        (Double.nan, 0, "error budget unknown (no samples yet)", "muted"),
    ])
    func budget(remaining: Double, drawn: Double, words: String, tone: String) throws {
        let bar = BudgetBar(id: "budget-fraud-0", objective: "availability", target: 0.999, remainingFraction: remaining)
        let root = try expectAccessible(bar.svg, title: "Error budget of availability (target 99.9%)",
                                        descContains: [words])
        let frame = try #require(root.all(class: "budget-frame").first?.number("width"))
        let left = try #require(root.all(class: "budget-left").first)
        #expect(abs(try #require(left.number("width")) - frame * drawn) < 0.01)
        #expect(left.attributes["class"] == "budget-left " + tone)
        #expect(root.all(class: "summary").first?.text == words)
    }
}
