import Foundation
import Testing
import SextantAPI
import SextantCore
import SextantStore
import SextantTestSupport

/// The dashboard in a real browser (DESIGN §11): headless Chromium, driven by
/// scripts/dashboard-probe.py over the DevTools protocol, loads every page of a daemon in
/// the middle of a canary, then keeps the model page open while the canary is promoted.
/// Screenshots are kept under `.build/artifacts/dashboard/` (or `$SEXTANT_TEST_ARTIFACTS`).
@Suite(.serialized) struct DashboardEndToEndTests {
    typealias Rig = RolloutEndToEndTests.Rig

    static let chromium = ProcessInfo.processInfo.environment["SEXTANT_CHROMIUM"] ?? "/usr/bin/chromium"
    static let hasChromium = FileManager.default.isExecutableFile(atPath: chromium) && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    static var artifacts: String {
        (ProcessInfo.processInfo.environment["SEXTANT_TEST_ARTIFACTS"] ?? packageRoot + "/.build/artifacts") + "/dashboard"
    }

    struct Report: Decodable {
        struct Page: Decodable {
            var url: String
            var title: String
            var errors: [String]
            var live: String
            var screenshot: String
        }

        struct Live: Decodable {
            var appearedAt: Double?
            var reloaded: Bool
            var errors: [String]
            var status: String
            var screenshot: String
        }

        var pages: [Page]
        var live: Live?
    }

    @Test("during a canary every page renders in Chromium with no console error; the model page shows the promotion without a reload",
          .enabled(if: hasChromium, "needs Chromium at /usr/bin/chromium (Debian's chromium, which .ci/run installs) or SEXTANT_CHROMIUM, and /usr/bin/python3"))
    func canaryInChromium() async throws {
        let rig = try Rig(steps: "[{setWeight: 10}, {pause: {}}]", analysis: "{interval: 1s, minSamples: 20}")
        try rig.startDaemon()
        try await rig.waitFor("r1 to serve") { rig.status()?.phase == .serving }
        let load = RolloutEndToEndTests.Load(port: rig.gatewayPort, model: rig.model, body: RolloutEndToEndTests.fraudRequest)
        try rig.commit("stronger regularisation", "models/fraud-detector.yaml", replacing: "# hyperparameters: {l2: 0.01}", with: "hyperparameters: {l2: 0.0005}")
        try await rig.waitFor("the canary to hold at 10% with a verdict") {
            rig.status()?.health == .suspended && rig.status()?.model?.rollout?.verdict == "Passed"
        }
        let out = Self.artifacts
        try? FileManager.default.removeItem(atPath: out)
        let base = "http://127.0.0.1:\(rig.apiPort)"
        let pages = ["/", "/models/\(rig.model)", "/datasets/transactions", "/slos/fraud-errors", "/slos/fraud-latency", "/models/\(rig.model)"]
        async let probed = runProcess("/usr/bin/python3", [packageRoot + "/scripts/dashboard-probe.py", "--chromium", Self.chromium, "--out", out,
                                                           "--live", "Promoted", "--timeout", "60"] + pages.map { base + $0 })
        try await rig.waitFor("the browser to load every page", timeout: .seconds(120)) { FileManager.default.fileExists(atPath: out + "/ready") }
        let promoted = try await runProcess(sextantBinary, ["promote", rig.model, "--state-dir", rig.state.path])
        #expect(promoted.status == 0, "\(promoted.stderr)")
        let output = try await probed
        _ = await load.stop()
        #expect(output.status == 0, "the probe failed: \(output.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(output.stdout.utf8))
        #expect(report.pages.count == pages.count)
        for page in report.pages {
            #expect(page.errors.isEmpty, "\(page.url): \(page.errors)")
            #expect(page.title.hasSuffix("· Sextant"), "\(page.url): \(page.title)")
            #expect(page.live.hasPrefix("Live: following events"), "\(page.url): the live script connected: \(page.live)")
            #expect(FileManager.default.fileExists(atPath: page.screenshot))
        }
        let live = try #require(report.live)
        #expect(live.appearedAt != nil, "the model page never showed the Promoted event; it says \(live.status)")
        #expect(!live.reloaded, "the page was reloaded rather than updated in place")
        #expect(live.errors.isEmpty, "\(live.errors)")
        #expect(live.status.hasPrefix("Live: updated"), "\(live.status)")
        // How long after the event the page showed it: a figure to read, not a limit.
        if let appeared = live.appearedAt, let event = rig.events(.promoted).last {
            let latency = appeared / 1000 - event.time.timeIntervalSince1970
            try? String(format: "%.0f ms from the Promoted event to the page showing it\n", latency * 1000).write(toFile: out + "/live-latency.txt", atomically: true, encoding: .utf8)
        }
    }
}
