import Foundation
import Testing
import SextantAPI
@testable import SextantCore
@testable import SextantDashboard
import Mustache

/// The dashboard's pages without a browser: each parses as XHTML, says what status says,
/// escapes what it did not write, links the objects, and is built for keyboard and screen
/// reader (landmarks, one h1, table headers, labelled charts).
@Suite struct DashboardPageTests {
    let dashboard = Dashboard()
    let now = DashboardFixtures.now

    func pages() throws -> [(String, String)] {
        let status = try DashboardFixtures.status()
        let events = DashboardFixtures.events(12)
        return [
            ("overview", dashboard.overview(status, events: events, now: now)),
            ("model", try #require(dashboard.model("fraud-detector", status: status, registry: DashboardFixtures.registry(versions: 3), events: events, now: now))),
            ("dataset", try #require(dashboard.dataset("transactions", status: status, events: [], now: now))),
            ("slo", try #require(dashboard.slo("fraud-errors", status: status, events: events, now: now))),
            ("missing", dashboard.missing("No model named \"fraud\"; did you mean \"fraud-detector\"?", status: status, now: now)),
            ("before the first pass", dashboard.overview(nil, events: [], now: now)),
        ]
    }

    @Test("every page parses as XHTML, has one h1, a main landmark after a skip link, headed tables and labelled charts")
    func accessibleMarkup() throws {
        for (name, html) in try pages() {
            let page = try XHTMLElement.parse(html)
            #expect(page.attributes["lang"] == "en", "\(name)")
            #expect(page.all("h1").count == 1, "\(name): one h1")
            let main = try #require(page.all("main").first, "\(name): a main")
            #expect(main.attributes["id"] == "main")
            #expect(page.all("a").first?.attributes["href"] == "#main", "\(name): the skip link comes first")
            #expect(page.all("nav").allSatisfy { $0.attributes["aria-label"] != nil }, "\(name): navigation is labelled")
            for table in page.all("table") {
                #expect(!table.all("th").isEmpty && table.all("th").allSatisfy { $0.attributes["scope"] == "col" }, "\(name): headed table")
            }
            for svg in page.all("svg") {
                #expect(svg.attributes["role"] == "img", "\(name): a chart is an image to assistive technology")
                let labels = try #require(svg.attributes["aria-labelledby"], "\(name): a chart is labelled").split(separator: " ").map(String.init)
                #expect(svg.all("title").contains { $0.attributes["id"] == labels.first }, "\(name): the label names the chart's title")
                #expect(svg.all("desc").contains { $0.attributes["id"] == labels.last && !$0.allText.isEmpty }, "\(name): and its description")
            }
            for section in page.all("section") {
                let heading = try #require(section.attributes["aria-labelledby"], "\(name): a section is labelled by its heading")
                #expect(section.all("h2").contains { $0.attributes["id"] == heading })
            }
        }
    }

    @Test("the overview lists every object, models first, linked to its page, with sync, health and phase in words")
    func overview() throws {
        let page = try XHTMLElement.parse(dashboard.overview(try DashboardFixtures.status(), events: DashboardFixtures.events(3), now: now))
        let rows = page.all("tbody").first!.all("tr").map { $0.all("td").map(\.allText) }
        #expect(rows.map { $0[1] } == ["fraud-detector", "transactions", "fraud-errors"])
        #expect(rows[0] == ["Model", "fraud-detector", "OutOfSync", "Progressing", "RollingOut", "step 1/2: 10% to r2 (v2), 56/200 samples <b>not bold</b> & more"])
        let links = page.all("a").compactMap { $0.attributes["href"] }
        #expect(links.contains("/models/fraud-detector") && links.contains("/datasets/transactions") && links.contains("/slos/fraud-errors"))
        #expect(page.allText.contains("3 objects: 1 Healthy, 1 Progressing, 1 Degraded"))
        #expect(page.all("body").first?.attributes["data-stream"] == "/api/v1/events/stream?since=3")
    }

    @Test("text from status and events is escaped: a message's markup shows as text, never as an element")
    func escaping() throws {
        let html = try #require(dashboard.model("fraud-detector", status: try DashboardFixtures.status(), registry: nil, events: DashboardFixtures.events(2), now: now))
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("<b>not bold"))
        let page = try XHTMLElement.parse(html)
        #expect(page.all("b").isEmpty)
        #expect(page.all("script").count == 1, "only the dashboard's own script")
        #expect(page.allText.contains("<b>not bold</b> & more"))
        #expect(page.allText.contains("event 2 <script>alert(1)</script>"))
    }

    @Test("the model page: the split and its numbers, the steps and the analysis with each SLO's budget, versions, replicas, events newest first")
    func model() throws {
        let html = try #require(dashboard.model("fraud-detector", status: try DashboardFixtures.status(), registry: DashboardFixtures.registry(versions: 3),
                                                events: DashboardFixtures.events(12), now: now))
        let page = try XHTMLElement.parse(html)
        let text = page.allText
        for expected in [
            "canary by canary-10-50: canary, step 1 of 2, 10% to the candidate, analysis Inconclusive",
            "Stable", "v1 (r1)", "v2 (r2)", "3137", "3.85 ms",
            "fraud-latency", "p99 under 50 ms", "120 of 100", "Passed",
            "fraud-errors", "56 of 200", "Inconclusive",
            "v3", "r3", "logistic-regression", "800 + 200",
            "ready", "http://127.0.0.1:8080/v2/models/fraud-detector",
        ] {
            #expect(text.contains(expected), "missing \(expected)")
        }
        let links = page.all("a").compactMap { $0.attributes["href"] }
        #expect(links.contains("/slos/fraud-latency") && links.contains("/api/v1/models/fraud-detector/card?version=3"))
        let eventRows = page.all("table").last!.all("tbody").first!.all("tr")
        #expect(eventRows.first?.allText.contains("event 12") == true && eventRows.last?.allText.contains("event 1 ") == true)
        #expect(eventRows.first?.attributes["class"] == "bad", "an abort stands out")
        #expect(page.all("body").first?.attributes["data-stream"] == "/api/v1/events/stream?since=12&name=fraud-detector")
    }

    @Test("the serving revision's evaluation: metrics with their intervals, each gate passed or failed, the importance of each feature, the card")
    func evaluation() throws {
        let html = try #require(dashboard.model("fraud-detector", status: try DashboardFixtures.status(), registry: DashboardFixtures.registry(versions: 3),
                                                events: [], now: now))
        let page = try XHTMLElement.parse(html)
        let section = try #require(page.all("section").first { $0.attributes["aria-labelledby"] == "evaluation-heading" })
        let text = section.allText
        #expect(text.contains("r1 (v1), stable") && text.contains("on 481 holdout rows") && text.contains("1 of 2 gates failed"))
        let tables = section.all("table")
        #expect(tables.first?.all("tbody").first?.all("tr").map { $0.all("td").map(\.allText) } == [["accuracy", "0.9667", "–"], ["auc", "0.9835", "[0.97, 0.99]"]])
        #expect(tables.last?.all("tbody").first?.all("tr").map { $0.all("td").map(\.allText) }
                == [["auc", "0.9835", "≥ 0.9", "passed"], ["demographicParityRatio by region", "0.7", "≥ 0.8", "failed"]])
        let chart = try #require(section.all("svg").first)
        let description = chart.all("desc").first?.allText ?? ""
        #expect(description.contains("amount 0.212 ± 0.0247, merchant_risk 0.105 ± 0.0118, hour -0.001 ± 0.002"), "\(description)")
        let bars = chart.all("rect").compactMap { $0.attributes["width"].flatMap(Double.init) }
        #expect(bars.count == 3 && bars[0] > bars[1] && bars[1] > 0 && bars[2] == 0, "longest first, a negative importance draws nothing: \(bars)")
        #expect(section.all("a").contains { $0.attributes["href"] == "/api/v1/models/fraud-detector/card?version=1" })
    }

    @Test("drift: each feature's verdict, and reference against current on common bins for those with a histogram")
    func drift() throws {
        let html = try #require(dashboard.model("fraud-detector", status: try DashboardFixtures.status(), registry: nil, events: [], now: now))
        let section = try #require(try XHTMLElement.parse(html).all("section").first { $0.attributes["aria-labelledby"] == "drift-heading" })
        #expect(section.allText.contains("Drift: 1 of 2 features (50% ≥ 50%) on 1000 rows against 1919 reference rows"))
        let rows = section.all("tbody").first!.all("tr").map { $0.all("td").map(\.allText) }
        #expect(rows == [["amount", "numerical", "wasserstein", "0.31", "0.1", "drifted"], ["region", "categorical", "chiSquare", "0.4", "0.05", "no"]])
        let charts = section.all("svg")
        #expect(charts.count == 1, "only amount has a histogram")
        let description = charts.first?.all("desc").first?.allText ?? ""
        #expect(description.contains("amount") && description.contains("[0, 50)") && description.contains("75"), "\(description)")
    }

    @Test("the error budget: the share of (1 − target) × samples not spent; overspent below 0; none without samples")
    func budget() throws {
        func objective(target: Double, samples: Int, bad: Int) -> RolloutStatus.ObjectiveStatus {
            RolloutStatus.ObjectiveStatus(slo: "s", objective: "o", target: target, samples: samples, bad: bad, required: 10, verdict: "Passed", value: nil)
        }
        #expect(ObjectiveRow.budgetLeft(objective(target: 0.99, samples: 1000, bad: 0)) == 1)
        #expect(abs(ObjectiveRow.budgetLeft(objective(target: 0.99, samples: 1000, bad: 4))! - 0.6) < 1e-12)
        #expect(abs(ObjectiveRow.budgetLeft(objective(target: 0.99, samples: 1000, bad: 15))! - -0.5) < 1e-12)
        #expect(ObjectiveRow.budgetLeft(objective(target: 0.99, samples: 0, bad: 0)) == nil)
        #expect(ObjectiveRow.budgetLeft(objective(target: 1, samples: 10, bad: 0)) == nil)
    }

    @Test("a model of 100 versions lists the newest 20 and says where the others are; every version is on the timeline")
    func manyVersions() throws {
        let html = try #require(dashboard.model("fraud-detector", status: try DashboardFixtures.status(), registry: DashboardFixtures.registry(versions: 100),
                                                events: DashboardFixtures.events(Dashboard.eventLimit), now: now))
        let page = try XHTMLElement.parse(html)
        let versionTable = try #require(page.all("section").first { $0.attributes["aria-labelledby"] == "versions-heading" })
        let rows = versionTable.all("tbody").first!.all("tr")
        #expect(rows.count == ModelPage.versionRows)
        #expect(rows.first?.all("td").first?.allText == "v100")
        #expect(versionTable.allText.contains("80 older versions"))
    }

    @Test("a name that is no object's has no page", arguments: ["fraud", "transactions"])
    func unknown(name: String) throws {
        let status = try DashboardFixtures.status()
        #expect(dashboard.model(name, status: status, registry: nil, events: [], now: now) == nil)
        #expect(dashboard.slo(name, status: status, events: [], now: now) == nil)
    }

    @Test("the dataset page shows its rows, digest and each violation; the SLO page the rollouts it judges with their numbers")
    func datasetAndSLO() throws {
        let status = try DashboardFixtures.status()
        let dataset = try XHTMLElement.parse(try #require(dashboard.dataset("transactions", status: status, events: [], now: now))).allText
        #expect(dataset.contains("1200") && dataset.contains("4f2a9c0e7b1d3a5f") && dataset.contains("amount: 2 rows below the minimum 0 (rows 17, 940)"))
        #expect(dataset.contains("No events yet."))
        let slo = try XHTMLElement.parse(try #require(dashboard.slo("fraud-errors", status: status, events: [], now: now)))
        let rows = slo.all("tbody").first!.all("tr")
        #expect(rows.count == 1)
        #expect(rows.first?.all("td").map(\.allText).prefix(6) == ["fraud-detector", "99.5% of requests succeed", "0.995", "56 of 200", "1", "Inconclusive"])
    }

    @Test("every view answers each of its stored properties by name, as Mirror would (TemplateFields.swift is complete)")
    func fieldsMatchTheViews() throws {
        let status = try DashboardFixtures.status()
        let model = ModelPage(status.objects[0], status: status, registry: DashboardFixtures.registry(versions: 3), events: DashboardFixtures.events(2), now: now)
        let views: [Any] = [
            model, OverviewPage(status, events: DashboardFixtures.events(2), now: now),
            DatasetPage(status.objects[1], status: status, events: [], now: now), SLOPage(status.objects[2], status: status, events: [], now: now),
            MissingPage(chrome: model.chrome, message: "m"),
        ]
        var checked = Set<String>()
        func check(_ value: Any) {
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .optional || mirror.displayStyle == .collection {
                mirror.children.forEach { check($0.value) }
                return
            }
            guard mirror.displayStyle == .struct, !(value is String) else { return }
            let type = "\(type(of: value))"
            let parent = value as? any MustacheParent
            #expect(parent != nil, "\(type) answers no field by name")
            for child in mirror.children {
                guard let label = child.label else { continue }
                let answered = parent?.child(named: label)
                #expect(answered.map { "\($0)" } == Self.described(child.value), "\(type).\(label)")
                check(child.value)
            }
            checked.insert(type)
        }
        views.forEach(check)
        #expect(checked.count >= 18, "every view the fixture builds: \(checked.sorted())")
    }

    /// A value as `child(named:)` gives it: an absent optional is nil.
    static func described(_ value: Any) -> String? {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional { return mirror.children.first.map { "\($0.value)" } }
        return "\(value)"
    }

    @Test("the live script listens for every event reason the stream can send")
    func script() {
        for reason in EventReason.allCases {
            #expect(DashboardAssets.script.contains("\"\(reason.rawValue)\""), "\(reason.rawValue)")
        }
        #expect(DashboardAssets.script.contains("data-stream"))
    }
}
