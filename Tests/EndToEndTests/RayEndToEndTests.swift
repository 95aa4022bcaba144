import Foundation
import SextantAPI
import SextantCore
import SextantRay
import SextantTestSupport
import Testing

/// `sextant run --runtime ray` against a real single-node Ray (DESIGN §12): external
/// trainers as Ray Jobs, evaluation and serving as Serve applications behind the gateway,
/// under steady load from this process — no client request fails, whatever happens.
@Suite(.serialized, .enabled(if: RayCluster.isAvailable, RayCluster.unavailable), .rayCluster, .serveTurns, .timeLimit(.minutes(20)))
struct RayEndToEndTests {
    let cluster: RayCluster
    let client: RayClient
    let servePort: Int

    init() throws {
        cluster = try #require(RayCluster.current, "the suite runs with .rayCluster")
        client = RayClient(address: cluster.dashboardURL, timeout: .seconds(60))
        servePort = try freePort()
    }

    var rayFlags: [String] { ["--runtime", "ray", "--ray-address", cluster.dashboardURL, "--ray-serve-port", String(servePort)] }

    /// Serve's applications, by name.
    func applications() async -> [String: ServeApplicationStatus] {
        (try? await client.serveStatus().applications) ?? [:]
    }

    /// Ray's jobs of the model's trainings, but those in `earlier` (of an earlier test on the same cluster).
    func trainingJobs(_ model: String, after earlier: Set<String> = []) async throws -> [RayJob] {
        try await client.jobs().filter { $0.submissionID.hasPrefix("sextant-train-\(model)-") && !earlier.contains($0.submissionID) }
    }

    func cleanUp(_ rig: RolloutEndToEndTests.Rig) async {
        if let daemon = rig.daemon, daemon.isRunning { kill(daemon.pid, SIGKILL) }
        _ = try? await runProcess(sextantBinary, ["down", "--state-dir", rig.state.path])
        // Serve shut down, so the next test's declaration starts it with its own options.
        try? await client.removeAllServeApplications()
        _ = try? await eventually(timeout: .seconds(120)) { try await client.serveStatus().proxies.isEmpty }
    }

    @Test("the Ray example: a Ray Job trains, Serve evaluates and serves, a better version is promoted through a canary and a slow one rolled back, no client request failing")
    func quickstartOnRay() async throws {
        let rig = try RolloutEndToEndTests.Rig(example: "ray", steps: "[{setWeight: 25}, {pause: {duration: 5s}}]",
                                               analysis: "{interval: 1s, minSamples: 20}")
        let earlier = Set(try await trainingJobs(rig.model).map(\.submissionID))
        try rig.startDaemon(extra: rayFlags)
        try await rig.waitFor("r1 to serve on Ray", timeout: .seconds(600)) { rig.status()?.phase == .serving }
        let jobs = try await trainingJobs(rig.model, after: earlier)
        #expect(jobs.count == 1 && jobs.first?.status == .succeeded, "the trainer ran as one Ray Job: \(jobs)")
        let serve = await applications()
        #expect(serve["sextant-fraud-detector-r1"]?.status == .running, "\(serve.keys.sorted())")
        #expect(serve["sextant-fraud-detector-r1"]?.deployments["FraudDetector"]?.targetReplicas == 2, "serving.replicas: 2")
        #expect(serve.keys.filter { $0.hasSuffix("-evaluation") }.isEmpty, "evaluation's application is gone once it answered")
        let message = rig.status()?.message ?? ""
        #expect(message.contains("auc 0.981"), "the holdout, answered through Serve, scores as the trainer's own check: \(message)")

        let load = RolloutEndToEndTests.Load(port: rig.gatewayPort, model: rig.model, body: RolloutEndToEndTests.fraudRequest)
        try rig.commit("more epochs", "models/fraud-detector.yaml", replacing: "epochs: 300", with: "epochs: 600")
        try await rig.waitFor("v2 to be promoted", timeout: .seconds(600)) { rig.status()?.model?.stableVersion == 2 && rig.status()?.phase == .serving }
        #expect(try await trainingJobs(rig.model, after: earlier).count == 2, "one Ray Job per version")
        #expect(try await eventually(timeout: .seconds(120)) {
            let serve = await applications()
            return serve["sextant-fraud-detector-r2"]?.status == .running && serve["sextant-fraud-detector-r1"] == nil
        }, "r1's application is removed after the promotion")

        try rig.commit("a slow server", "models/fraud-detector.yaml", replacing: #"EXAMPLE_DELAY_MS: "0""#, with: #"EXAMPLE_DELAY_MS: "800""#)
        try await rig.waitFor("the slow canary to be rolled back", timeout: .seconds(600)) { rig.status()?.phase == .rolloutAborted }
        #expect(rig.status()?.model?.stableRevision == 2, "r2 keeps serving")
        #expect(try await trainingJobs(rig.model, after: earlier).count == 2, "a serving-only change trains nothing")
        #expect(try await eventually(timeout: .seconds(180)) { await applications()["sextant-fraud-detector-r3"] == nil }, "the slow revision's application is removed")
        let tally = await load.stop()
        #expect(tally.failed.isEmpty, "\(tally.failed.count) failed: \(tally.failed.prefix(3))")
        #expect(tally.byRevision["2", default: 0] > 0 && tally.byRevision["3", default: 0] > 0, "\(tally.byRevision)")
        await cleanUp(rig)
    }

    @Test("a Serve replica killed inside Ray is replaced by Ray, and the gateway's retry hides it from clients")
    func killedReplica() async throws {
        let rig = try RolloutEndToEndTests.Rig(steps: "[{setWeight: 50}, {pause: {duration: 1s}}]", analysis: "{interval: 1s, minSamples: 20}")
        try rig.commit("two replicas", "models/fraud-detector.yaml", replacing: "    replicas: 1", with: "    replicas: 2")
        try rig.startDaemon(extra: rayFlags)
        let application = "sextant-fraud-detector-r1"
        try await rig.waitFor("r1 to serve on Ray", timeout: .seconds(600)) { rig.status()?.phase == .serving }
        let before = await runningReplicas(application)
        #expect(before.count == 2, "serving.replicas: 2 \(before)")

        let load = RolloutEndToEndTests.Load(port: rig.gatewayPort, model: rig.model, body: RolloutEndToEndTests.fraudRequest, workers: 4)
        try await Task.sleep(for: .seconds(2))
        let victim = try #require(Self.replicaProcesses(application).first, "no process of \(application)'s replicas")
        kill(victim, SIGKILL)
        #expect(try await eventually(timeout: .seconds(300)) {
            let now = await runningReplicas(application)
            return now.count == 2 && now != before
        }, "Ray replaces the killed replica")
        try await Task.sleep(for: .seconds(2))
        let tally = await load.stop()
        #expect(tally.ok > 100, "\(tally.ok) answered")
        #expect(tally.failed.isEmpty, "\(tally.failed.count) failed: \(tally.failed.prefix(3))")
        await cleanUp(rig)
    }

    @Test("kill -9 of the daemon during a Ray Job: the restarted daemon adopts the job, submits no second one, and converges")
    func daemonKilledDuringTraining() async throws {
        let rig = try RolloutEndToEndTests.Rig(example: "ray", steps: "[{setWeight: 50}, {pause: {duration: 1s}}]", analysis: "{interval: 1s, minSamples: 20}")
        // A trainer that takes a while, so the daemon dies while its job runs.
        try rig.repository.commit("a slow trainer", files: ["trainer/slow.py": """
            import runpy, sys, time
            time.sleep(20)
            sys.argv = ["trainer/train.py"]
            runpy.run_path("trainer/train.py", run_name="__main__")
            """])
        try rig.commit("train slowly", "models/fraud-detector.yaml", replacing: "command: [python3, trainer/train.py]", with: "command: [python3, trainer/slow.py]")
        let earlier = Set(try await trainingJobs(rig.model).map(\.submissionID))
        try rig.startDaemon(extra: rayFlags)
        #expect(try await eventually(timeout: .seconds(300)) { try await trainingJobs(rig.model, after: earlier).contains { $0.status == .running } },
                "the training runs as a Ray Job")
        let daemon = try #require(rig.daemon)
        kill(daemon.pid, SIGKILL)
        _ = try await eventually(timeout: .seconds(30)) { !daemon.isRunning }
        let submitted = try await trainingJobs(rig.model, after: earlier)
        #expect(submitted.count == 1 && submitted.first?.status == .running, "\(submitted)")

        try rig.startDaemon(extra: rayFlags)
        try await rig.waitFor("the restarted daemon to serve", timeout: .seconds(600)) { rig.status()?.phase == .serving }
        let jobs = try await trainingJobs(rig.model, after: earlier)
        #expect(jobs.map(\.submissionID) == submitted.map(\.submissionID), "no second submission: \(jobs.map(\.submissionID))")
        #expect(jobs.first?.status == .succeeded)
        #expect(rig.events(.trained).count == 1, "v1 trained once: \(rig.events(.trained))")
        #expect(rig.status()?.model?.stableVersion == 1)
        await cleanUp(rig)
    }

    /// The ids of an application's running replicas.
    func runningReplicas(_ application: String) async -> Set<String> {
        Set(await applications()[application]?.deployments.values.flatMap { $0.replicas.filter { $0.state == .running }.map(\.replicaID) } ?? [])
    }

    /// The processes of an application's Serve replicas (`ray::ServeReplica:APP:DEPLOYMENT`).
    static func replicaProcesses(_ application: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = pid_t(entry), let command = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
            return String(decoding: command, as: UTF8.self).hasPrefix("ray::ServeReplica:\(application):") ? pid : nil
        }
    }
}
