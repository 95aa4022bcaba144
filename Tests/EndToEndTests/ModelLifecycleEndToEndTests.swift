import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import SextantAPI
import SextantCore
import SextantStore
import SextantTestSupport

/// Models converging as built: training, evaluation through the serving path, packaging,
/// the supervisor's detached servers, and the failures of each.
@Suite(.serialized) struct ModelLifecycleEndToEndTests {
    /// A repository holding one of the examples, and a state directory (stopped with `down`).
    final class Setup: Sendable {
        let repository: GitFixture
        let state: TemporaryDirectory
        /// Where this setup's gateway listens.
        let gatewayPort: Int

        init(example: String) async throws {
            gatewayPort = try freePort()
            repository = try GitFixture()
            state = try TemporaryDirectory("sextant-state")
            try repository.commit("first", files: try Self.files(of: example))
        }

        deinit {
            _ = try? runProcessBlocking(sextantBinary, ["down", "--state-dir", state.path])
        }

        /// An example's files (its README left out), by path.
        static func files(of example: String) throws -> [String: String] {
            let root = packageRoot + "/examples/" + example
            var files: [String: String] = [:]
            for path in try FileManager.default.subpathsOfDirectory(atPath: root) {
                guard let data = FileManager.default.contents(atPath: root + "/" + path), !path.hasSuffix(".md") else { continue }
                files[path] = String(decoding: data, as: UTF8.self)
            }
            return files
        }

        func run(_ arguments: [String]) async throws -> ProcessOutput {
            try await runProcess(sextantBinary, arguments, environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        }

        func reconcile(_ extra: String...) async throws -> ProcessOutput {
            try await run(["reconcile", "--once", "--repo", repository.path, "--state-dir", state.path, "-o", "json", "--readiness-timeout", "20",
                     "--gateway", "127.0.0.1:\(gatewayPort)"] + extra)
        }

        func model(_ output: ProcessOutput, _ name: String) throws -> ObjectStatus {
            let document = try JSONDecoder.status.decode(StatusDocument.self, from: Data(output.stdout.utf8))
            return try #require(document.objects.first { $0.kind == .model && $0.name == name }, "\(output.stdout)\(output.stderr)")
        }

        func replicas(_ name: String) throws -> [Replica] {
            try SQLiteStore(readingFrom: state.path).observed().objects[ObjectKey(.model, name)]?.model?.replicas ?? []
        }

        func journal(_ action: String) throws -> Int {
            try SQLiteStore(readingFrom: state.path).journal().filter { $0.action == action }.count
        }

        func events(_ reason: EventReason) throws -> [Event] {
            try SQLiteStore(readingFrom: state.path).events().filter { $0.reason == reason }
        }
    }

    static func infer(port: Int, model: String, body: String) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v2/models/\(model)/infer")
        request.method = .POST
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    static let fraudRequest = """
        {"inputs":[{"name":"amount","datatype":"FP64","shape":[2],"data":[900,12]},{"name":"hour","datatype":"INT64","shape":[2],"data":[3,14]},
        {"name":"merchant_risk","datatype":"FP64","shape":[2],"data":[0.95,0.1]},{"name":"account_age_days","datatype":"INT64","shape":[2],"data":[5,2000]}]}
        """

    static func alive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 && (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.contains(") Z") == false }

    @Test("the quickstart model trains, is evaluated through its server, packaged, served and adopted; gates-only and reverted changes never retrain; down stops it all")
    func quickstart() async throws {
        let setup = try await Setup(example: "quickstart")
        let first = try await setup.reconcile()
        #expect(first.status == 0, "\(first.stderr)")
        let serving = try setup.model(first, "fraud-detector")
        #expect(serving.phase == .serving && serving.sync == .synced && serving.health == .healthy, "\(serving.message)")
        #expect(serving.conditions.map(\.type) == ["NoIncumbent"])
        let replica = try #require(try setup.replicas("fraud-detector").first)
        let (status, answer) = try await Self.infer(port: replica.port, model: "fraud-detector", body: Self.fraudRequest)
        #expect(status == 200 && answer.contains(#""data":[true,false]"#) && answer.contains(#""model_version":"1""#), "\(answer)")

        // history -o json in the shape of DESIGN §4.
        let history = try await setup.run(["history", "fraud-detector", "--state-dir", setup.state.path, "-o", "json"])
        let document = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [String: Any]
        let version = try #require((document?["versions"] as? [[String: Any]])?.first)
        #expect(version["version"] as? Int == 1 && version["trainer"] as? String == "logistic-regression")
        #expect((version["artifactDigest"] as? String)?.hasPrefix("sha256:") == true)
        let revision = try #require((version["revisions"] as? [[String: Any]])?.first)
        let gates = try #require(revision["gates"] as? [[String: Any]])
        #expect(gates.map { $0["metric"] as? String } == ["auc", "f1", "demographicParityRatio"])
        #expect(gates.allSatisfy { $0["passed"] as? Bool == true })
        #expect((revision["served"] as? [[String: Any]])?.count == 1)

        // The artifact is a ModelPack in an OCI layout that skopeo reads.
        if PeerTool.skopeo.isInstalled {
            let raw = try await runProcess(PeerTool.skopeo.path, ["inspect", "--raw", "oci:\(setup.state.path)/artifacts:fraud-detector-v1"])
            #expect(raw.status == 0 && raw.stdout.contains("application/vnd.cncf.model.manifest.v1+json"), "\(raw.stderr)")
        }

        // A second run adopts the running server: same pid, nothing done again.
        let again = try await setup.reconcile()
        #expect(again.status == 0)
        #expect(try setup.replicas("fraud-detector").first?.pid == replica.pid)
        #expect(try setup.journal("Train") == 1 && setup.journal("Evaluate") == 1)

        // Gates only: re-evaluated, not retrained; r1 keeps serving.
        let model = try String(contentsOfFile: setup.repository.path + "/models/fraud-detector.yaml", encoding: .utf8)
        try setup.repository.commit("relax auc", files: ["models/fraud-detector.yaml": model.replacingOccurrences(of: "{metric: auc, min: 0.90}", with: "{metric: auc, min: 0.85}")])
        let relaxed = try await setup.reconcile()
        #expect(try setup.model(relaxed, "fraud-detector").phase == .serving)
        #expect(try setup.journal("Train") == 1 && setup.journal("Evaluate") == 2)

        // A retraining whose gates fail: GateFailed, exit 1, r1 keeps serving and answering.
        try setup.repository.commit("impossible", files: ["models/fraud-detector.yaml": model
            .replacingOccurrences(of: "seed: 42\n", with: "seed: 43\n").replacingOccurrences(of: "{metric: auc, min: 0.90}", with: "{metric: auc, min: 0.9999}")])
        let failed = try await setup.reconcile()
        #expect(failed.status == 1)
        let stopped = try setup.model(failed, "fraud-detector")
        #expect(stopped.phase == .gateFailed && stopped.sync == .outOfSync && stopped.health == .healthy, "\(stopped)")
        #expect(stopped.message.contains("breaks min 0.9999") && stopped.message.contains("r1 keeps serving"), "\(stopped.message)")
        #expect(stopped.model?.stableRevision == 1 && stopped.model?.candidateVersion == 2)
        #expect(try await Self.infer(port: replica.port, model: "fraud-detector", body: Self.fraudRequest).0 == 200)

        // Reverting in Git finds v1 again: no training, no evaluation.
        try setup.repository.git("revert", "--no-edit", "HEAD")
        let reverted = try await setup.reconcile()
        #expect(try setup.model(reverted, "fraud-detector").phase == .serving)
        #expect(try setup.journal("Train") == 2 && setup.journal("Evaluate") == 3)

        // A server that dies is restarted.
        kill(replica.pid, SIGKILL)
        try await Task.sleep(for: .milliseconds(200))
        let restarted = try await setup.reconcile()
        #expect(try setup.model(restarted, "fraud-detector").phase == .serving)
        let replacement = try #require(try setup.replicas("fraud-detector").first)
        #expect(replacement.pid != replica.pid)
        #expect(try setup.events(.replicaRestarted).count == 1)

        // down stops every process (the replica and the gateway); nothing is left.
        let gateway = try #require(try SQLiteStore(readingFrom: setup.state.path).gateway())
        let down = try await setup.run(["down", "--state-dir", setup.state.path])
        #expect(down.status == 0 && down.stdout.contains("stopped 2 processes"), "\(down.stdout)\(down.stderr)")
        #expect(!Self.alive(replacement.pid))
        #expect(!Self.alive(gateway.pid))
        #expect(try setup.replicas("fraud-detector").isEmpty)
    }

    static let hasPython = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    @Test("an external Python trainer and server; a trainer that crashes, hangs or writes nothing, and servers that never get ready or reject a feature, each stop with a clear status while v1 keeps serving",
          .enabled(if: hasPython, "needs /usr/bin/python3 for the example's trainer and server"))
    func externalTrainer() async throws {
        let setup = try await Setup(example: "python-trainer")
        let first = try await setup.reconcile()
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try setup.model(first, "churn-predictor").phase == .serving)
        let replica = try #require(try setup.replicas("churn-predictor").first)
        let body = """
            {"inputs":[{"name":"tenure_months","datatype":"INT64","shape":[1],"data":[2]},{"name":"monthly_charges","datatype":"FP64","shape":[1],"data":[110]},
            {"name":"support_calls","datatype":"INT64","shape":[1],"data":[6]}],"outputs":[{"name":"predict"},{"name":"predict_proba"}]}
            """
        let (status, answer) = try await Self.infer(port: replica.port, model: "churn-predictor", body: body)
        #expect(status == 200 && answer.contains(#""data": [true]"#), "\(answer)")

        let model = try String(contentsOfFile: setup.repository.path + "/models/churn-predictor.yaml", encoding: .utf8)
        struct Fault {
            var name: String
            var files: [String: String]
            var phase: ObjectPhase
            var message: String
        }
        let server = try String(contentsOfFile: setup.repository.path + "/serving/server.py", encoding: .utf8)
        let faults = [
            Fault(name: "crash", files: ["trainer/train.py": "import sys\nprint('loading')\nsys.exit('boom: no GPU here')\n"],
                  phase: .trainingFailed, message: "the trainer exited with status 1"),
            Fault(name: "hang", files: ["trainer/train.py": "import time\ntime.sleep(600)\n",
                                        "models/churn-predictor.yaml": model.replacingOccurrences(of: "timeout: 5m", with: "timeout: 1s")],
                  phase: .trainingFailed, message: "the trainer ran past its timeout of 1s"),
            Fault(name: "nothing", files: ["trainer/train.py": "print('done, honest')\n"],
                  phase: .trainingFailed, message: "the trainer wrote nothing to SEXTANT_OUTPUT_DIR"),
            Fault(name: "never ready", files: ["serving/server.py": "import time\ntime.sleep(600)\n"],
                  phase: .gateFailed, message: "was not ready for churn-predictor within 2s: GET http://127.0.0.1:"),
            Fault(name: "feature missing", files: ["serving/server.py": server.replacingOccurrences(of: "for index, feature in enumerate(MODEL[\"features\"]):",
                                                                                                    with: "for index, feature in enumerate(MODEL[\"features\"] + [\"region\"]):")],
                  phase: .gateFailed, message: "missing input region"),
        ]
        for fault in faults {
            try setup.repository.commit(fault.name, files: fault.files)
            let run = fault.name == "never ready"
                ? try await setup.run(["reconcile", "--once", "--repo", setup.repository.path, "--state-dir", setup.state.path,
                                       "--gateway", "127.0.0.1:\(setup.gatewayPort)", "-o", "json", "--readiness-timeout", "2"])
                : try await setup.reconcile()
            #expect(run.status == 1, "\(fault.name): \(run.stderr)")
            let status = try setup.model(run, "churn-predictor")
            #expect(status.phase == fault.phase, "\(fault.name): \(status.message)")
            #expect(status.message.contains(fault.message), "\(fault.name): \(status.message)")
            #expect(status.health == .healthy && status.model?.stableRevision == 1, "\(fault.name): v1 keeps serving")
            #expect(status.conditions.contains { $0.type == "Stalled" })
            if fault.name == "crash" { #expect(status.message.contains("boom: no GPU here")) }
            let trainings = try setup.journal("Train")
            #expect(try await setup.reconcile().status == 1)
            #expect(try setup.journal("Train") == trainings, "\(fault.name): not retried for the same fingerprint")
            try setup.repository.git("revert", "--no-edit", "HEAD")
        }
        #expect(try await Self.infer(port: replica.port, model: "churn-predictor", body: body).0 == 200)
        #expect(try setup.replicas("churn-predictor").first?.pid == replica.pid, "the first server served throughout")
        // Only the served replica and the gateway run: no trainer, evaluation server or sleeper was left behind.
        let processes = try FileManager.default.contentsOfDirectory(atPath: setup.state.path + "/processes")
        let gateway = try #require(try SQLiteStore(readingFrom: setup.state.path).gateway())
        #expect(Set(processes) == ["\(replica.pid).json", "\(gateway.pid).json"])
    }
}

extension JSONDecoder {
    static var status: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
