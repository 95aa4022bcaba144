import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import SextantAPI
import SextantCore
import SextantStore
import SextantTestSupport
import SextantWire

/// blueGreen and shadow behind the gateway, with the real daemon, gateway and servers,
/// under steady load from this process: mirrored copies never change what clients get.
@Suite(.serialized) struct StrategyEndToEndTests {
    typealias Rig = RolloutEndToEndTests.Rig
    typealias Load = RolloutEndToEndTests.Load

    static let newVersion = (path: "models/fraud-detector.yaml", old: "# hyperparameters: {l2: 0.01}", new: "hyperparameters: {l2: 0.0005}")

    /// While the candidate only gets copies, every client answer comes from stable: a
    /// snapshot taken while status still says `phase` holds no answer of r2.
    static func clientsSeeOnlyStable(_ rig: Rig, _ load: Load, during phase: RolloutPhase) async throws {
        try await rig.waitFor("answers during the \(phase)") { load.snapshot.ok > 20 }
        let during = load.snapshot
        let still = rig.status()?.model?.rollout?.phase == phase
        try #require(still, "the \(phase) ended before the check; make it longer")
        #expect(during.byRevision.keys.sorted() == ["1"], "clients got answers from \(during.byRevision)")
        #expect(during.failed.isEmpty, "\(during.failed.prefix(3))")
    }

    @Test("blueGreen: the preview is judged on mirrored copies while clients get stable, the header route reaches it; the switch makes it stable; `abort` during the guard switches back to the warm servers")
    func blueGreen() async throws {
        let rig = try Rig(strategy: "blueGreen", analysis: "{interval: 1s, minSamples: 20}", extra: "  blueGreen: {previewDuration: 60s}\n  scaleDownDelay: 5m")
        try rig.startDaemon()
        try await rig.waitFor("r1 to serve") { rig.status()?.phase == .serving }
        let warm = try #require(rig.observation()?.replicas.first?.pid)
        try rig.commit("stronger regularisation", Self.newVersion.path, replacing: Self.newVersion.old, with: Self.newVersion.new)
        try await rig.waitFor("the preview") { rig.status()?.model?.rollout?.phase == .preview }
        let load = Load(port: rig.gatewayPort, model: rig.model, body: RolloutEndToEndTests.fraudRequest)

        let preview = try #require(rig.status())
        #expect(preview.model?.traffic.map(\.role) == ["stable", "preview", "header"])
        #expect(preview.model?.traffic.map(\.weight) == [100, 0, 0])
        #expect(preview.model?.traffic.first { $0.role == "preview" }?.mirrorPercent == 100)
        #expect(try await RolloutEndToEndTests.infer(rig, headers: ["X-Sextant-Candidate": "true"]).revision == "2", "the header route reaches the preview")
        try await Self.clientsSeeOnlyStable(rig, load, during: .preview)
        #expect(try await eventually(timeout: .seconds(60)) { (try await Self.agreement(rig)?.compared ?? 0) > 20 }, "mirrored answers compared")

        try await rig.waitFor("the switch") { rig.status()?.model?.rollout?.phase == .switched }
        let switched = try #require(rig.status())
        #expect(switched.model?.stableRevision == 2, "the stable revision changes at the switch")
        #expect(switched.model?.rollout?.phase == .switched && switched.model?.rollout?.previousRevision == 1)
        #expect(switched.model?.traffic.map(\.revision) == [2])
        let atSwitch = load.snapshot.byRevision["2"] ?? 0
        try await rig.waitFor("clients answered by r2") { (load.snapshot.byRevision["2"] ?? 0) > atSwitch + 50 }
        #expect(Self.alive(warm), "r1 stays warm during the guard")

        let aborted = try await runProcess(sextantBinary, ["abort", rig.model, "--state-dir", rig.state.path])
        #expect(aborted.status == 0, "\(aborted.stderr)")
        try await rig.waitFor("the switch back") { rig.status()?.phase == .rolloutAborted }
        let tally = await load.stop()
        let back = try #require(rig.status())
        #expect(back.model?.stableRevision == 1 && back.health == .degraded)
        #expect(back.model?.traffic.map(\.revision) == [1])
        #expect(rig.observation()?.replicas.map(\.pid) == [warm], "the warm servers take everything back")
        #expect(tally.failed.isEmpty, "\(tally.failed.prefix(5))")
        #expect(rig.events(.rolloutAborted).first?.message.contains("switched back") == true)
    }

    @Test("shadow: mirrored copies for its duration (clients get stable; answers compared), the header route reaches it, then the canary steps and promotion")
    func shadow() async throws {
        let rig = try Rig(strategy: "shadow", steps: "[{setWeight: 50}, {pause: {duration: 2s}}]", analysis: "{interval: 1s, minSamples: 20}",
                          extra: "  shadow: {duration: 45s}\n  scaleDownDelay: 1s")
        try rig.startDaemon()
        try await rig.waitFor("r1 to serve") { rig.status()?.phase == .serving }
        try rig.commit("stronger regularisation", Self.newVersion.path, replacing: Self.newVersion.old, with: Self.newVersion.new)
        try await rig.waitFor("the shadow phase") { rig.status()?.model?.rollout?.phase == .shadow }
        // Labels and scores: both outputs compared.
        let body = RolloutEndToEndTests.fraudRequest.replacingOccurrences(of: "]}]}", with: #"]}],"outputs":[{"name":"predict"},{"name":"predict_proba"}]}"#)
        let load = Load(port: rig.gatewayPort, model: rig.model, body: body)

        let shadowing = try #require(rig.status())
        #expect(shadowing.model?.traffic.map(\.role) == ["stable", "shadow", "header"])
        #expect(try await RolloutEndToEndTests.infer(rig, headers: ["X-Sextant-Candidate": "true"]).revision == "2", "the header route reaches the shadow")
        try await Self.clientsSeeOnlyStable(rig, load, during: .shadow)
        #expect(try await eventually(timeout: .seconds(60)) { (try await Self.agreement(rig)?.compared ?? 0) > 20 }, "mirrored answers compared")
        let agreement = try #require(try await Self.agreement(rig))
        #expect(agreement.labelAgreement != nil && agreement.meanScoreDifference != nil, "\(agreement)")

        try await rig.waitFor("the canary step") { rig.status()?.model?.rollout?.phase == .canary }
        try await rig.waitFor("clients answered by r2") { (load.snapshot.byRevision["2"] ?? 0) > 20 }
        try await rig.waitFor("promotion") { rig.status()?.model?.stableRevision == 2 && rig.status()?.model?.rollout == nil }
        let tally = await load.stop()
        #expect(tally.failed.isEmpty, "\(tally.failed.prefix(5))")
        let reasons = ((try? SQLiteStore(readingFrom: rig.state.path).events()) ?? []).filter { $0.name == rig.model }.map(\.reason)
        #expect(reasons.filter { [.rolloutStarted, .stepAdvanced, .promoted].contains($0) } == [.rolloutStarted, .stepAdvanced, .promoted], "\(reasons)")
    }

    @Test("a deliberately slow server is aborted on its mirrored copies alone; clients never get its answers",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs /usr/bin/python3 for the example's trainer and server"), arguments: [
        ("shadow", "  shadow: {duration: 1m}", "in the shadow phase"),
        ("blueGreen", "  blueGreen: {previewDuration: 1m}", "in the preview"),
    ])
    func slowMirrorIsAborted(strategy: String, block: String, where phase: String) async throws {
        let rig = try Rig(example: "python-trainer", model: "churn-predictor", strategy: strategy, analysis: "{interval: 1s, minSamples: 20}",
                          extra: block + "\n  scaleDownDelay: 1s")
        try rig.startDaemon()
        try await rig.waitFor("r1 to serve") { rig.status()?.phase == .serving }
        let load = Load(port: rig.gatewayPort, model: rig.model, body: Self.churnRequest)
        try rig.commit("slow server", "models/churn-predictor.yaml", replacing: "    replicas: 1", with: "    replicas: 1\n    env: {CHURN_DELAY_MS: \"800\"}")
        try await rig.waitFor("the rollback") { rig.status()?.phase == .rolloutAborted }
        let tally = await load.stop()
        #expect(tally.failed.isEmpty, "\(tally.failed.prefix(5))")
        #expect(tally.byRevision.keys.sorted() == ["1"], "clients got answers from \(tally.byRevision)")
        let aborted = try #require(rig.events(.rolloutAborted).first)
        #expect(aborted.message.contains(phase) && aborted.message.contains("p95 under 400 ms"), "\(aborted.message)")
        #expect(rig.status()?.model?.traffic.map(\.revision) == [1])
    }

    static let churnRequest = """
        {"parameters":{"content_type":"pd"},"inputs":[{"name":"tenure_months","datatype":"FP64","shape":[1],"data":[12]},
        {"name":"monthly_charges","datatype":"FP64","shape":[1],"data":[70.5]},{"name":"support_calls","datatype":"FP64","shape":[1],"data":[3]}]}
        """

    /// r2's agreement as the gateway counts it: cumulative, so it outlives the phase (a
    /// busy machine may end the phase before the test looks at status).
    static func agreement(_ rig: Rig) async throws -> RevisionCounters.Agreement? {
        guard let gateway = rig.gateway() else { return nil }
        let token = try String(contentsOfFile: rig.state.path + "/gateway.token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        var request = HTTPClientRequest(url: "\(gateway.adminEndpoint)/admin/v1/stats")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return try JSONDecoder().decode(GatewayStatistics.self, from: Data(body.readableBytesView)).counters(model: rig.model, revision: 2).agreement
    }

    static func alive(_ pid: Int32) -> Bool { ModelLifecycleEndToEndTests.alive(pid) }
}
