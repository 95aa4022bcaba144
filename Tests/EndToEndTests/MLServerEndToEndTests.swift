import Foundation
import Testing
import SextantAPI
import SextantCore
import SextantStore
import SextantTestSupport

/// `examples/mlserver` as a user runs it: a scikit-learn trainer, MLServer as the serving
/// command, the real daemon and gateway. MLServer comes from PyPI: `.ci/run` installs it
/// into a venv and names its python in `SEXTANT_MLSERVER_PYTHON`; the venv's `bin` goes
/// first on the daemon's `PATH`, where the example's `python3` and `mlserver` are found.
/// As root, the daemon runs them as `nobody` (DESIGN §6), who must be able to run that
/// python too (a venv made from /usr/bin/python3, not from a pyenv under /root).
@Suite(.serialized) struct MLServerEndToEndTests {
    static let asRoot = getuid() == 0

    /// The venv's `bin`, when its python imports everything the example needs — as the
    /// user who will run it.
    static let venv: String? = {
        guard let python = ProcessInfo.processInfo.environment["SEXTANT_MLSERVER_PYTHON"], FileManager.default.isExecutableFile(atPath: python) else { return nil }
        let imports = [python, "-c", "import mlserver, mlserver_sklearn, sklearn, joblib, pandas"]
        let asNobody = ["--reuid=nobody", "--regid=nogroup", "--clear-groups"] + imports
        guard let check = try? (asRoot ? runProcessBlocking("/usr/bin/setpriv", asNobody) : runProcessBlocking(imports[0], Array(imports.dropFirst()))),
              check.status == 0 else { return nil }
        let bin = (python as NSString).deletingLastPathComponent
        return FileManager.default.isExecutableFile(atPath: bin + "/mlserver") ? bin : nil
    }()

    static let model = "churn-sklearn"

    /// A few customers, with the key and the target beside the features: `predict` sends
    /// the features only (scikit-learn refuses columns it was not fitted on).
    static let rows = """
        customer_id,tenure_months,monthly_charges,support_calls,churned
        c-9001,2,110.5,5,true
        c-9002,60,25.0,0,false
        c-9003,24,70.0,2,
        """

    static let request = """
        {"parameters":{"content_type":"pd"},"inputs":[{"name":"tenure_months","datatype":"INT64","shape":[1],"data":[12]},
        {"name":"monthly_charges","datatype":"FP64","shape":[1],"data":[70.5]},{"name":"support_calls","datatype":"INT64","shape":[1],"data":[3]}]}
        """

    @Test("examples/mlserver trains with scikit-learn, is evaluated through MLServer, serves through the gateway (predict labels the probabilities), and a hyperparameter change rolls out as a canary to promotion",
          .enabled(if: venv != nil, "needs SEXTANT_MLSERVER_PYTHON: a python with mlserver, mlserver-sklearn, scikit-learn, pandas and joblib, runnable by nobody when the tests run as root (.ci/run installs them)"))
    func mlserverCanary() async throws {
        let bin = try #require(Self.venv)
        let repository = try GitFixture()
        let state = try TemporaryDirectory("sextant-mlserver")
        let gatewayPort = try freePort(), apiPort = try freePort()
        var files = try ModelLifecycleEndToEndTests.Setup.files(of: "mlserver")
        // A canary of seconds, not minutes.
        files["rollouts/canary.yaml"] = """
            apiVersion: sextant.dev/v1alpha1
            kind: RolloutPolicy
            metadata: {name: canary}
            spec:
              strategy: canary
              steps: [{setWeight: 50}, {pause: {duration: 3s}}]
              analysis: {interval: 1s, minSamples: 20, failureLimit: 3}
              scaleDownDelay: 1s
            """
        try repository.commit("mlserver example", files: files)
        let environment = ["PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
        // Where servers' directories are: as root, the work directory of the sandbox user.
        let work = Self.asRoot ? state.path + "-work" : state.path
        let daemon = try BackgroundProcess(sextantBinary, [
            "run", "--repo", repository.path, "--state-dir", state.path, "--interval", "1s", "--listen", "127.0.0.1:\(apiPort)",
            "--gateway", "127.0.0.1:\(gatewayPort)", "--readiness-timeout", "120",
        ] + (Self.asRoot ? ["--work-dir", work] : []), logPath: state.path + "/../daemon-\(apiPort).log", environment: environment)
        defer {
            if daemon.isRunning { kill(daemon.pid, SIGKILL) }
            _ = try? runProcessBlocking(sextantBinary, ["down", "--state-dir", state.path])
        }
        func status() -> ObjectStatus? {
            (try? SQLiteStore(readingFrom: state.path).status())??.objects.first { $0.kind == .model && $0.name == Self.model }
        }
        func events(_ reason: EventReason) -> [Event] {
            ((try? SQLiteStore(readingFrom: state.path).events()) ?? []).filter { $0.reason == reason && $0.name == Self.model }
        }
        func waitFor(_ what: String, timeout: Duration = .seconds(300), _ condition: () -> Bool) async throws {
            // A failure of the example's own (a trainer's import, a gate) ends the wait at once.
            let done = try await eventually(timeout: timeout) { condition() || status()?.phase.rawValue.hasSuffix("Failed") == true }
            try #require(status()?.phase.rawValue.hasSuffix("Failed") != true || condition(), "\(status()?.message ?? "")")
            try #require(done, "waited \(timeout) for \(what); status: \(String(describing: status())); daemon log:\n\(daemon.log.suffix(4000))")
        }

        // v1: trained by scikit-learn, evaluated through a private MLServer, served.
        try await waitFor("r1 to serve") { status()?.phase == .serving }
        let evaluated = try #require(events(.evaluated).first)
        #expect(evaluated.message.contains("answered 200 holdout rows through its server (ready in "), "\(evaluated.message)")
        #expect(evaluated.message.contains(" s; inference ") && evaluated.message.contains(" rows/s): "), "\(evaluated.message)")
        let trainerLogs = try FileManager.default.subpathsOfDirectory(atPath: state.path + "/runs").filter { $0.hasSuffix("trainer.log") }
        let trainerLog = try String(contentsOfFile: state.path + "/runs/" + #require(trainerLogs.first), encoding: .utf8)
        #expect(trainerLog.contains("churn-sklearn: trained on 600 rows with {'C': 1.0, 'max_iter': 200}"), "the float stays a float: \(trainerLog)")

        // predict: only the features are sent, and the probabilities are labelled by the sorted classes.
        let scratch = try TemporaryDirectory()
        let rows = try scratch.write("rows.csv", Self.rows)
        let predicted = try await runProcess(sextantBinary, ["predict", Self.model, "--csv", rows, "--gateway", "http://127.0.0.1:\(gatewayPort)",
                                                       "--state-dir", state.path])
        #expect(predicted.status == 0, "\(predicted.stderr)")
        let lines = predicted.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.split(separator: " ").suffix(3) == ["PREDICTION", "P(false)", "P(true)"], "\(predicted.stdout)")
        #expect(lines.contains { $0.hasPrefix("1 ") && $0.contains(" true ") }, "a new customer with 5 support calls churns: \(predicted.stdout)")
        #expect(lines.contains { $0.hasPrefix("2 ") && $0.contains(" false ") }, "\(predicted.stdout)")
        #expect(predicted.stdout.contains("served by r1 (version 1) of churn-sklearn"), "\(predicted.stdout)")

        // A committed change of a hyperparameter: v2, canary at 50% under steady load, promoted.
        let load = RolloutEndToEndTests.Load(port: gatewayPort, model: Self.model, body: Self.request)
        let path = repository.path + "/models/churn-sklearn.yaml"
        let manifest = try String(contentsOfFile: path, encoding: .utf8)
        #expect(manifest.contains("{C: 1.0, max_iter: 200}"))
        try repository.commit("weaker regularisation", files: ["models/churn-sklearn.yaml": manifest.replacingOccurrences(of: "{C: 1.0, max_iter: 200}", with: "{C: 4.0, max_iter: 200}")])
        try await waitFor("the canary to start") { !events(.rolloutStarted).isEmpty }
        try await waitFor("promotion") { status()?.model?.stableRevision == 2 && status()?.model?.rollout == nil }
        let tally = await load.stop()
        #expect(tally.failed.isEmpty, "\(tally.failed.count) failed: \(tally.failed.prefix(5))")
        #expect((tally.byRevision["2"] ?? 0) > 0 && (tally.byRevision["1"] ?? 0) > 0, "\(tally.byRevision)")
        #expect(!events(.promoted).isEmpty)
        #expect(status()?.model?.traffic.map(\.revision) == [2])

        // Every instance had its own directory: r1's evaluation and replica, r2's evaluation, incumbent (r1) and replica.
        let directories = try FileManager.default.contentsOfDirectory(atPath: work + "/servers/\(Self.model)").filter { $0.hasPrefix("r") && !$0.hasSuffix(".log") }
        #expect(Set(directories).isSuperset(of: ["r1-evaluation-0", "r1-replica-0", "r2-evaluation-0", "r1-incumbent-0", "r2-replica-0"]), "\(directories.sorted())")

        await daemon.stop()
        let down = try await runProcess(sextantBinary, ["down", "--state-dir", state.path])
        #expect(down.status == 0, "\(down.stderr)")
        if Self.asRoot { try? FileManager.default.removeItem(atPath: work) }
    }
}
