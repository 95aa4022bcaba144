import Foundation
import Testing
import SextantAPI
import SextantCore
import SextantStore
import SextantTestSupport

/// Long actions run in the background across passes (DESIGN §1): a model training for a
/// minute holds nothing else back, and SIGINT reaches the trainer.
@Suite(.serialized) struct BackgroundJobsEndToEndTests {
    typealias Rig = RolloutEndToEndTests.Rig

    static let churnRequest = """
        {"parameters":{"content_type":"pd"},"inputs":[{"name":"tenure_months","datatype":"FP64","shape":[1],"data":[12]},
        {"name":"monthly_charges","datatype":"FP64","shape":[1],"data":[70.5]},{"name":"support_calls","datatype":"FP64","shape":[1],"data":[3]}]}
        """

    static let hasPython = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    /// The example's churn model under another name, trained by `command` (YAML flow list).
    static func model(_ name: String, command: String) throws -> String {
        let files = try ModelLifecycleEndToEndTests.Setup.files(of: "python-trainer")
        return files["models/churn-predictor.yaml"]!
            .replacingOccurrences(of: "name: churn-predictor", with: "name: \(name)")
            .replacingOccurrences(of: "command: [python3, trainer/train.py]", with: "command: \(command)")
    }

    static func status(_ rig: Rig, _ model: String) -> ObjectStatus? {
        (try? SQLiteStore(readingFrom: rig.state.path).status())??.objects.first { $0.kind == .model && $0.name == model }
    }

    static func events(_ rig: Rig, _ model: String, _ reason: EventReason) -> [Event] {
        ((try? SQLiteStore(readingFrom: rig.state.path).events()) ?? []).filter { $0.name == model && $0.reason == reason }
    }

    /// The processes whose command line contains `text`.
    static func processes(containing text: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let bytes = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: bytes.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(text)
        }
    }

    /// Whether any process of the group lives (zombies included until reaped).
    static func groupAlive(_ group: Int32) -> Bool {
        kill(-group, 0) == 0 || errno != ESRCH
    }

    @Test("a model whose trainer takes minutes does not hold back another model's canary: its SLO-breaking candidate is rolled back while the training runs",
          .enabled(if: hasPython, "the example's trainer and server are Python scripts; /usr/bin/python3 is missing"))
    func longTrainingDoesNotDelayARollback() async throws {
        let rig = try Rig(example: "python-trainer", model: "churn-predictor", steps: "[{setWeight: 50}, {pause: {duration: 1m}}]",
                          analysis: "{interval: 1s, minSamples: 20}")
        try rig.startDaemon()
        try await rig.waitFor("r1 to serve") { rig.status()?.phase == .serving }
        let load = RolloutEndToEndTests.Load(port: rig.gatewayPort, model: rig.model, body: Self.churnRequest)
        // One commit: a second model whose trainer sleeps two minutes first (headroom on a loaded machine), and a serving change
        // that makes churn-predictor's candidate break its latency SLO.
        let churn = try String(contentsOfFile: rig.repository.path + "/models/churn-predictor.yaml", encoding: .utf8)
        try rig.repository.commit("a slow trainer and a slow server", files: [
            "models/slow-trainer.yaml": try Self.model("slow-trainer", command: "[sh, -c, \"sleep 120; exec python3 trainer/train.py\"]"),
            "models/churn-predictor.yaml": churn.replacingOccurrences(of: "    replicas: 1", with: "    replicas: 1\n    env: {CHURN_DELAY_MS: \"800\"}"),
        ])
        try await rig.waitFor("the rollback") { !rig.events(.rolloutAborted).isEmpty }
        let aborted = try #require(rig.events(.rolloutAborted).first)
        let started = try #require(rig.events(.rolloutStarted).last { $0.time <= aborted.time })
        // The training still runs: the canary did not wait for it.
        #expect(Self.events(rig, "slow-trainer", .trained).isEmpty, "slow-trainer finished training before churn-predictor's rollback")
        #expect(Self.status(rig, "slow-trainer")?.phase == .training, "\(String(describing: Self.status(rig, "slow-trainer")))")
        // How fast is bench/rollback's to measure (interval + 1 s); here it is enough that the
        // rollback came while the two-minute training ran.
        #expect(started.time <= aborted.time)
        // Status is saved at the end of the pass that wrote the event.
        try await rig.waitFor("status to show r1 alone") { rig.status()?.model?.traffic.map(\.revision) == [1] }
        let tally = await load.stop()
        #expect(tally.failed.isEmpty, "\(tally.failed.prefix(5))")
    }

    @Test("SIGINT during an external training: the trainer's process group is gone within 5 s, the daemon exits, and a restart trains it again exactly once",
          .enabled(if: hasPython, "the example's trainer and server are Python scripts; /usr/bin/python3 is missing"))
    func interruptReachesTheTrainer() async throws {
        // The trainer runs as another user when the tests run as root: a directory anyone may write.
        let marks = "/tmp/sextant-marks-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: marks, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o777])
        defer { try? FileManager.default.removeItem(atPath: marks) }
        let rig = try Rig(example: "python-trainer", model: "churn-predictor", steps: "[{setWeight: 50}]", analysis: "{interval: 1s}")
        // Every run is counted; only the first sleeps a minute before training.
        let command = "[sh, -c, \"echo run >> \(marks)/runs; if mkdir \(marks)/first 2>/dev/null; then sleep 60; fi; exec python3 trainer/train.py\"]"
        try rig.commit("a trainer that sleeps the first time", "models/churn-predictor.yaml",
                       replacing: "command: [python3, trainer/train.py]", with: "command: \(command)")
        try rig.startDaemon()
        // Running, counted and sleeping: a SIGINT before its `mkdir` would make the restart's run the sleeping one.
        try await rig.waitFor("the trainer to run") {
            FileManager.default.fileExists(atPath: marks + "/first") && !Self.processes(containing: "\(marks)/runs").isEmpty
        }
        let trainer = try #require(Self.processes(containing: "\(marks)/runs").first)
        let group = getpgid(trainer)
        try #require(group > 0)

        let daemon = try #require(rig.daemon)
        kill(daemon.pid, SIGINT)
        let gone = try await eventually(timeout: .seconds(5)) { !Self.groupAlive(group) }
        #expect(gone, "the trainer's process group \(group) still runs 5 s after SIGINT")
        let status = await daemon.stop(SIGINT, timeout: .seconds(15))
        #expect(status != nil, "the daemon still runs 15 s after SIGINT; log:\n\(daemon.log.suffix(2000))")
        #expect(rig.events(.cancelled).count == 1, "\(rig.events(.cancelled))")

        try rig.startDaemon()
        try await rig.waitFor("r1 to serve after the restart") { rig.status()?.phase == .serving }
        let runs = try String(contentsOfFile: marks + "/runs", encoding: .utf8).split(separator: "\n")
        #expect(runs.count == 2, "the trainer ran \(runs.count) times: once interrupted, once to the end")
        #expect(rig.events(.trained).count == 1)
    }
}
