import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing
import SextantAPI
import SextantCore
import SextantStore
import SextantTestSupport
import SextantWire

/// Canary rollouts behind the gateway, with the real daemon, gateway and servers, under
/// steady load from this process: no valid request fails, whatever is killed.
@Suite(.serialized) struct RolloutEndToEndTests {
    /// The quickstart (or the Python example) with a fast canary policy, and a daemon.
    final class Rig: @unchecked Sendable {
        let repository: GitFixture
        let state: TemporaryDirectory
        let gatewayPort: Int
        let apiPort: Int
        var daemon: BackgroundProcess?
        let model: String

        /// - Parameters:
        ///   - strategy: the policy's strategy, with `extra` lines (e.g. its `blueGreen:` block).
        ///   - steps: the canary's steps.
        ///   - analysis: the policy's analysis block.
        init(example: String = "quickstart", model: String = "fraud-detector", strategy: String = "canary", steps: String? = nil, analysis: String,
             extra: String = "  scaleDownDelay: 1s") throws {
            self.model = model
            gatewayPort = try freePort()
            apiPort = try freePort()
            repository = try GitFixture()
            state = try TemporaryDirectory("sextant-rollout")
            var files = try ModelLifecycleEndToEndTests.Setup.files(of: example)
            files["rollouts/canary-10-50.yaml"] = nil
            files["rollouts/fast.yaml"] = """
                apiVersion: sextant.dev/v1alpha1
                kind: RolloutPolicy
                metadata: {name: fast}
                spec:
                  strategy: \(strategy)
                  analysis: \(analysis)
                  headerRoute: {name: X-Sextant-Candidate, value: "true"}
                \(steps.map { "  steps: \($0)" } ?? "")
                \(extra)
                """
            for slo in ["fraud-latency", "fraud-errors"] where files["slos/\(slo).yaml"] != nil {
                // 95%: 20 samples decide, so a step takes seconds, not minutes. 400 ms, not 50: these tests
                // are about the rollout's mechanics, and a loaded machine answers slowly (the slow servers
                // of the latency tests take 800 ms).
                files["slos/\(slo).yaml"] = files["slos/\(slo).yaml"]!.replacingOccurrences(of: "target: 0.995", with: "target: 0.95")
                    .replacingOccurrences(of: "target: 0.99", with: "target: 0.95")
                    .replacingOccurrences(of: "p99 under 50 ms", with: "p99 under 400 ms").replacingOccurrences(of: "value: 50\n", with: "value: 400\n")
            }
            if example == "quickstart" {
                files["models/fraud-detector.yaml"] = files["models/fraud-detector.yaml"]!.replacingOccurrences(of: "rollout: canary-10-50", with: "rollout: fast")
            } else if example == "ray" {
                files["rollouts/canary-fast.yaml"] = nil
                files["models/fraud-detector.yaml"] = files["models/fraud-detector.yaml"]!.replacingOccurrences(of: "rollout: canary-fast", with: "rollout: fast")
                files["slos/fraud-latency.yaml"] = files["slos/fraud-latency.yaml"]!.replacingOccurrences(of: "value: 150\n", with: "value: 400\n")
            } else {
                files["slos/churn-latency.yaml"] = Self.latencySLO(model)
                files["models/churn-predictor.yaml"] = files["models/churn-predictor.yaml"]!
                    .replacingOccurrences(of: "    replicas: 1", with: "    replicas: 1\n    slos: [churn-latency]\n    rollout: fast")
            }
            try repository.commit("first", files: files)
        }

        static func latencySLO(_ model: String) -> String {
            """
            apiVersion: openslo/v1
            kind: SLO
            metadata: {name: churn-latency}
            spec:
              service: \(model)
              indicator:
                metadata: {name: churn-latency}
                spec:
                  thresholdMetric: {metricSource: {type: sextant, spec: {metric: latency}}}
              timeWindow: [{duration: 5m, isRolling: true}]
              budgetingMethod: Occurrences
              objectives: [{displayName: p95 under 400 ms, op: lte, value: 400, target: 0.95}]
            """
        }

        deinit {
            if let daemon, daemon.isRunning { kill(daemon.pid, SIGKILL) }
            _ = try? runProcessBlocking(sextantBinary, ["down", "--state-dir", state.path])
        }

        /// - Parameter extra: more flags, e.g. `--runtime ray …`.
        func startDaemon(interval: String = "1s", extra: [String] = []) throws {
            daemon = try BackgroundProcess(sextantBinary, [
                "run", "--repo", repository.path, "--state-dir", state.path, "--interval", interval, "--listen", "127.0.0.1:\(apiPort)",
                "--gateway", "127.0.0.1:\(gatewayPort)", "--readiness-timeout", "20",
            ] + extra, logPath: state.path + "/../daemon-\(apiPort).log", environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        }

        func status() -> ObjectStatus? {
            (try? SQLiteStore(readingFrom: state.path).status())??.objects.first { $0.kind == .model && $0.name == model }
        }

        func observation() -> ModelObservation? {
            (try? SQLiteStore(readingFrom: state.path).observed())?.objects[ObjectKey(.model, model)]?.model
        }

        func events(_ reason: EventReason) -> [Event] {
            ((try? SQLiteStore(readingFrom: state.path).events()) ?? []).filter { $0.reason == reason && $0.name == model }
        }

        var gatewayLog: String { ((try? String(contentsOfFile: state.path + "/gateway.log", encoding: .utf8)) ?? "").suffix(4000).description }

        func gateway() -> GatewayProcess? { (try? SQLiteStore(readingFrom: state.path).gateway()) ?? nil }

        /// Five minutes by default: on a CI machine the whole suite starves, a training and
        /// an evaluation of the new version can take most of two minutes before the canary
        /// takes its first request (a wait that is met returns at once).
        func waitFor(_ what: String, timeout: Duration = .seconds(300), _ condition: () -> Bool) async throws {
            let done = try await eventually(timeout: timeout) { condition() }
            try #require(done, "waited \(timeout) for \(what); status: \(String(describing: status())); daemon log:\n\(daemon?.log.suffix(3000) ?? "")")
        }

        func commit(_ message: String, _ path: String, replacing old: String, with new: String) throws {
            let file = repository.path + "/" + path
            let text = try String(contentsOfFile: file, encoding: .utf8)
            #expect(text.contains(old), "\(path) has no \(old)")
            try repository.commit(message, files: [path: text.replacingOccurrences(of: old, with: new)])
        }
    }

    /// Steady load from this process through the gateway: what every answer was, by revision.
    final class Load: Sendable {
        struct Tally: Sendable {
            var ok = 0
            var failed: [String] = []
            var byRevision: [String: Int] = [:]
        }

        let tally = Mutex(Tally())
        private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

        init(port: Int, model: String, body: String, workers: Int = 2) {
            let running = Task { [self] in
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<workers {
                        group.addTask { await self.send(port: port, model: model, body: body) }
                    }
                }
            }
            task.withLock { $0 = running }
        }

        /// One worker: a request after another on pooled connections, until cancelled.
        private func send(port: Int, model: String, body: String) async {
            while !Task.isCancelled {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v2/models/\(model)/infer")
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: body))
                do {
                    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                    let answer = try await response.body.collect(upTo: 1 << 20)
                    let revision = response.headers.first(name: "X-Sextant-Revision") ?? "none"
                    tally.withLock {
                        if response.status == .ok { $0.ok += 1 } else { $0.failed.append("HTTP \(response.status.code) from r\(revision): \(String(buffer: answer))") }
                        $0.byRevision[revision, default: 0] += 1
                    }
                } catch {
                    if Task.isCancelled { return }
                    tally.withLock { $0.failed.append("\(error)") }
                }
                try? await Task.sleep(for: .milliseconds(2))
            }
        }

        func stop() async -> Tally {
            let running = task.withLock { $0 }
            running?.cancel()
            await running?.value
            return tally.withLock { $0 }
        }

        var snapshot: Tally { tally.withLock { $0 } }
    }

    static var fraudRequest: String { ModelLifecycleEndToEndTests.fraudRequest }

    /// One inference request through the gateway: its status, the revision that served, the body.
    static func infer(_ rig: Rig, body: String = fraudRequest, headers: [String: String] = [:]) async throws -> (status: UInt, revision: String?, body: String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(rig.gatewayPort)/v2/models/\(rig.model)/infer")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let answer = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, response.headers.first(name: "X-Sextant-Revision"), String(buffer: answer))
    }

    static func alive(_ pid: Int32) -> Bool { ModelLifecycleEndToEndTests.alive(pid) }

    @Test("a canary under steady load: weights honoured at 10%, a killed candidate server, and a killed daemon cost no request, a killed gateway is back at once; promote finishes it")
    func canaryUnderLoad() async throws {
        let rig = try Rig(steps: "[{setWeight: 10}, {pause: {}}, {setWeight: 50}, {pause: {duration: 2s}}]",
                          analysis: "{interval: 1s, minSamples: 20, failureLimit: 5}")
        try rig.startDaemon()
        try await rig.waitFor("r1 to serve") { rig.status()?.phase == .serving }
        let load = Load(port: rig.gatewayPort, model: rig.model, body: Self.fraudRequest)

        // A new version: its canary holds at 10% until `sextant promote`.
        try rig.commit("stronger regularisation", "models/fraud-detector.yaml", replacing: "# hyperparameters: {l2: 0.01}", with: "hyperparameters: {l2: 0.0005}")
        try await rig.waitFor("the canary to pause at 10%") { rig.status()?.health == .suspended }
        let paused = try #require(rig.status())
        #expect(paused.phase == .rollingOut)
        #expect(paused.model?.traffic.map(\.weight) == [90, 10, 0])
        #expect(paused.model?.traffic.map(\.role) == ["stable", "candidate", "header"])
        #expect(paused.model?.rollout?.step == 1)

        // Weights: of 2,000 requests, the candidate's share is within 10 ± 3 points.
        let before = load.snapshot
        try await rig.waitFor("2,000 more requests", timeout: .seconds(240)) { load.snapshot.ok - before.ok >= 2000 }
        let after = load.snapshot
        let total = after.byRevision.values.reduce(0, +) - before.byRevision.values.reduce(0, +)
        let candidate = (after.byRevision["2"] ?? 0) - (before.byRevision["2"] ?? 0)
        let share = Double(candidate) / Double(total) * 100
        #expect(abs(share - 10) <= 3, "candidate share \(share)% of \(total)")
        // The header route: always the candidate.
        for _ in 0..<5 { #expect(try await Self.infer(rig, headers: ["X-Sextant-Candidate": "true"]).revision == "2") }

        // The candidate's server is killed: its requests go to stable, and it comes back.
        let candidatePid = try #require(rig.observation()?.rollout?.replicas.first?.pid)
        kill(candidatePid, SIGKILL)
        try await rig.waitFor("the candidate to be restarted") {
            guard let pid = rig.observation()?.rollout?.replicas.first?.pid else { return false }
            return pid != candidatePid && Self.alive(pid)
        }

        // The daemon is killed: the gateway keeps serving at the same split.
        let trainings = rig.events(.trained).count
        await rig.daemon?.stop(SIGKILL)
        let whileDown = load.snapshot
        try await Task.sleep(for: .seconds(2))
        #expect(load.snapshot.ok - whileDown.ok > 50, "the gateway served while the daemon was down; \(load.snapshot.failed.suffix(3)); gateway log:\n\(rig.gatewayLog)")
        try rig.startDaemon()
        try await rig.waitFor("the restarted daemon to resume at the same step") {
            let status = rig.status()
            return status?.model?.rollout?.step == 1 && status?.health == .suspended
        }
        #expect(rig.status()?.model?.traffic.map(\.weight) == [90, 10, 0])

        // The gateway is killed: the daemon starts it again with the last routing table
        // (requests in flight through the killed process are lost with it; no other is).
        let failedBeforeGatewayKill = load.snapshot.failed
        #expect(failedBeforeGatewayKill.isEmpty, "\(failedBeforeGatewayKill.count) failed requests: \(failedBeforeGatewayKill.prefix(5))")
        let gateway = try #require(rig.gateway())
        let killed = ContinuousClock.now
        kill(gateway.pid, SIGKILL)
        try await rig.waitFor("a new gateway", timeout: .seconds(10)) { rig.gateway().map { $0.pid != gateway.pid && Self.alive($0.pid) } ?? false }
        let restartedAfter = ContinuousClock.now - killed
        print("gateway restarted \(restartedAfter) after kill -9")
        try await Task.sleep(for: .milliseconds(500))
        let failedWithTheGateway = load.snapshot.failed.count
        // Per client worker (2): the request in flight through the killed process, and one
        // sent on a kept-alive connection to it before the client saw it close.
        #expect(failedWithTheGateway <= 4, "only requests through the killed gateway fail: \(load.snapshot.failed)")
        let routes = try #require(try SQLiteStore(readingFrom: rig.state.path).routes())
        #expect(routes.models[rig.model]?.backends.map(\.weight) == [90, 10])

        // Promote: 50% for 2 s, then promotion.
        let promoted = try await runProcess(sextantBinary, ["promote", rig.model, "--state-dir", rig.state.path])
        #expect(promoted.status == 0, "\(promoted.stderr)")
        try await rig.waitFor("promotion") { rig.status()?.model?.stableRevision == 2 && rig.status()?.model?.rollout == nil }
        try await rig.waitFor("the old stable to scale down") { rig.events(.scaledDown).count == 1 }
        let tally = await load.stop()
        #expect(tally.failed.count == failedWithTheGateway, "\(tally.failed.count - failedWithTheGateway) failed after the gateway was back: \(tally.failed.suffix(5))")
        #expect(tally.ok > 2000)
        #expect(rig.events(.trained).count == trainings, "no retraining after the daemon's restart")
        #expect(rig.events(.promoteRequested).first?.actor.hasPrefix("user") == true)
        #expect(!rig.events(.rolloutStarted).isEmpty && !rig.events(.stepAdvanced).isEmpty && !rig.events(.promoted).isEmpty)
        let status = try #require(rig.status())
        #expect(status.model?.traffic.map(\.revision) == [2])
        #expect(status.sync == .synced)

        // down leaves nothing running.
        await rig.daemon?.stop()
        let gatewayPid = rig.gateway()?.pid
        let servers = rig.observation()?.allReplicas.map(\.pid) ?? []
        let down = try await runProcess(sextantBinary, ["down", "--state-dir", rig.state.path])
        #expect(down.status == 0, "\(down.stderr)")
        for pid in servers + [gatewayPid].compactMap({ $0 }) { #expect(!Self.alive(pid), "pid \(pid) still runs after down") }
    }

    @Test("a policy with minSamples and no traffic never promotes or aborts on its own verdicts")
    func noTrafficNeverDecides() async throws {
        let rig = try Rig(steps: "[{setWeight: 20}, {setWeight: 60}]", analysis: "{interval: 1s, minSamples: 20, maxStepDuration: 3s}")
        try rig.startDaemon()
        try await rig.waitFor("r1 to serve") { rig.status()?.phase == .serving }
        try rig.commit("v2", "models/fraud-detector.yaml", replacing: "# hyperparameters: {l2: 0.01}", with: "hyperparameters: {l2: 0.0005}")
        try await rig.waitFor("the step to turn inconclusive") { rig.status()?.health == .suspended }
        try await Task.sleep(for: .seconds(3))
        let status = try #require(rig.status())
        #expect(status.phase == .rollingOut)
        #expect(status.model?.rollout?.step == 1)
        #expect(status.model?.rollout?.verdict == "Inconclusive")
        #expect(rig.events(.promoted).isEmpty && rig.events(.rolloutAborted).isEmpty && rig.events(.stepAdvanced).isEmpty)
        #expect(status.message.contains("paused"), "\(status.message)")
        // A person decides: abort sends everything back to r1.
        let aborted = try await runProcess(sextantBinary, ["abort", rig.model, "--state-dir", rig.state.path])
        #expect(aborted.status == 0, "\(aborted.stderr)")
        try await rig.waitFor("the abort") { rig.status()?.phase == .rolloutAborted }
        #expect(rig.status()?.health == .degraded)
        #expect(rig.status()?.model?.traffic.map(\.revision) == [1])
    }

    @Test("a canary that breaks its latency SLO is rolled back within one analysis interval, with no failed request",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs /usr/bin/python3 for the example's trainer and server"))
    func slowCanaryRollsBack() async throws {
        let rig = try Rig(example: "python-trainer", model: "churn-predictor", steps: "[{setWeight: 50}, {pause: {duration: 1m}}]",
                          analysis: "{interval: 1s, minSamples: 20}")
        try rig.startDaemon()
        try await rig.waitFor("r1 to serve") { rig.status()?.phase == .serving }
        let body = """
            {"parameters":{"content_type":"pd"},"inputs":[{"name":"tenure_months","datatype":"FP64","shape":[1],"data":[12]},
            {"name":"monthly_charges","datatype":"FP64","shape":[1],"data":[70.5]},{"name":"support_calls","datatype":"FP64","shape":[1],"data":[3]}]}
            """
        let load = Load(port: rig.gatewayPort, model: rig.model, body: body)
        try rig.commit("slow server", "models/churn-predictor.yaml", replacing: "    replicas: 1", with: "    replicas: 1\n    env: {CHURN_DELAY_MS: \"800\"}")
        try await rig.waitFor("the canary to start") { rig.status()?.model?.rollout != nil || !rig.events(.rolloutAborted).isEmpty }
        try await rig.waitFor("the rollback") { rig.status()?.phase == .rolloutAborted }
        let tally = await load.stop()
        let status = try #require(rig.status())
        #expect(status.health == .degraded)
        #expect(status.sync == .outOfSync)
        #expect(status.model?.traffic.map(\.revision) == [1])
        let aborted = try #require(rig.events(.rolloutAborted).first)
        #expect(aborted.message.contains("p95 under 400 ms"), "\(aborted.message)")
        #expect(tally.failed.isEmpty, "\(tally.failed.prefix(5))")
        #expect((tally.byRevision["2"] ?? 0) > 0, "the candidate took traffic before the rollback")
    }
}
