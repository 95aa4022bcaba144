import Foundation
import Testing
@testable import SextantRuntime
import SextantAPI
import SextantCore
import SextantTestSupport

/// What an external trainer and each serving command's instance are given: the trainer's
/// environment, a working directory of its own per server instance, and readiness for the
/// model (not only the server) with the server's log named when it fails.
@Suite struct ServerInstanceTests {
    static let python = "/usr/bin/python3"
    static let hasPython = FileManager.default.isExecutableFile(atPath: python)

    struct NoBlobs: BlobReader {
        func readBlob(_ id: String) async throws(SourceFailure) -> [UInt8] { throw SourceFailure("no blobs") }
    }

    static func runtime(_ state: TemporaryDirectory, readiness: Duration = .seconds(20)) -> EmbeddedRuntime {
        EmbeddedRuntime(blobs: NoBlobs(), dataRoots: [state.path], stateDirectory: state.path, readinessTimeout: readiness, stopGrace: .seconds(2))
    }

    @Test("an external trainer gets SEXTANT_MODEL_NAME, and SEXTANT_HYPERPARAMETERS with each number's YAML type")
    func trainerEnvironment() async throws {
        let state = try TemporaryDirectory()
        try state.write("data.csv", "x,y\n" + (0..<20).map { "\($0),\($0 % 2 == 0)" }.joined(separator: "\n") + "\n")
        // As the manifest's `{C: 1.0, max_iter: 100, solver: lbfgs}` decodes (HyperparameterTypesTests).
        let hyperparameters: [String: JSONValue] = ["C": .number(1.0), "max_iter": .integer(100), "solver": .string("lbfgs")]
        let data = TrainingData(dataset: "d", location: .file(path: state.path + "/data.csv"), sha256: "", task: .binaryClassification, target: "y",
                                targetType: .boolean, features: [FeatureColumn(name: "x", logicalType: .integer)], holdout: 0.25, splitSeed: 1, stratify: false)
        let job = TrainingJob(model: "churn-sklearn", fingerprint: String(repeating: "a", count: 64), commit: "c0ffee", data: data,
                              trainer: .command(["sh", "-c", "env > \"$SEXTANT_OUTPUT_DIR/env.txt\""], Workspace(commit: "c0ffee", files: [:])),
                              hyperparameters: hyperparameters, seed: 7, timeout: .seconds(30), contractSha256: "")
        let output = try await Self.runtime(state).train(job, version: 1)
        let environment = try String(contentsOfFile: state.path + "/" + output.modelDirectory + "/env.txt", encoding: .utf8)
        let lines = Set(environment.split(separator: "\n").map(String.init))
        #expect(lines.contains(#"SEXTANT_HYPERPARAMETERS={"C":1.0,"max_iter":100,"solver":"lbfgs"}"#), "\(environment)")
        #expect(lines.contains("SEXTANT_MODEL_NAME=churn-sklearn"), "\(environment)")
        #expect(lines.contains("SEXTANT_FEATURES=x") && lines.contains("SEXTANT_SEED=7"), "\(environment)")
    }

    /// A fake OIP server: ready itself at once; ready for its model when MODEL_READY=1.
    /// Prints where it runs and what its model directory holds, then writes a file there.
    static let fakeServer = #"""
        import http.server, os, sys
        print("cwd", os.getcwd(), flush=True)
        print("model", os.environ["SEXTANT_MODEL_DIR"], sorted(os.listdir(os.environ["SEXTANT_MODEL_DIR"])), flush=True)
        print("files", sorted(os.listdir(".")), flush=True)
        open("scratch.txt", "w").write(str(os.getpid()))
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                ok = self.path == "/v2/health/ready" or (self.path.endswith("/ready") and os.environ.get("MODEL_READY") == "1")
                self.send_response(200 if ok else 404)
                self.send_header("Content-Length", "0")
                self.end_headers()
            def log_message(self, *args):
                pass
        http.server.HTTPServer(("127.0.0.1", int(os.environ["SEXTANT_PORT"])), Handler).serve_forever()
        """#

    /// A state directory with v1's model files and the commit's files already materialized.
    static func prepared(_ state: TemporaryDirectory, commit: String) throws {
        try state.write("models/m/v1/model.joblib", "weights")
        try state.write("servers/m/commit-\(commit.prefix(12))/serving/server.py", fakeServer)
        try state.write("servers/m/commit-\(commit.prefix(12))/data/rows.csv", "a\n1\n")
        try state.write("servers/m/commit-\(commit.prefix(12))/.sextant-complete", "")
    }

    static func launch(revision: Int, commit: String, modelReady: Bool) -> ServingLaunch {
        ServingLaunch(model: "m", version: 1, revision: revision, modelDirectory: "models/m/v1",
                      runtime: .command([python, "serving/server.py"], env: ["MODEL_READY": modelReady ? "1" : "0"], commit: commit))
    }

    @Test("each replica and the evaluation instance run in a directory of their own, with the commit's files and a copy of the model files",
          .enabled(if: hasPython, "needs /usr/bin/python3 for the fake server"))
    func separateDirectories() async throws {
        let state = try TemporaryDirectory()
        let commit = String(repeating: "b", count: 40)
        try Self.prepared(state, commit: commit)
        let runtime = Self.runtime(state)
        let launch = Self.launch(revision: 2, commit: commit, modelReady: true)
        let replicas = try await runtime.startReplicas(launch, workspace: nil, indices: [0, 1], at: Date())
        let evaluation = try await runtime.startServer(launch, workspace: nil, role: "evaluation", index: 0, at: Date()).replica
        var logs: [[String]] = []
        for server in replicas + [evaluation] { logs.append(await Self.logLines(server.log, count: 3)) }
        // What one instance writes, no other sees.
        let wrote = try await eventually { logs.allSatisfy { $0.first.map { FileManager.default.fileExists(atPath: $0.dropFirst(4) + "/scratch.txt") } ?? false } }
        await runtime.stopReplicas(replicas + [evaluation])
        var directories: [String] = []
        for log in logs {
            let cwd = try #require(log.first { $0.hasPrefix("cwd ") }).dropFirst(4)
            directories.append(String(cwd))
            #expect(log.contains("model \(cwd)/.sextant/model ['model.joblib']"), "\(log)")
            #expect(log.contains("files ['.sextant', 'data', 'serving']"), "\(log)")
        }
        #expect(directories == ["r2-replica-0", "r2-replica-1", "r2-evaluation-0"].map { "\(state.path)/servers/m/\($0)" })
        #expect(wrote)
        #expect(!FileManager.default.fileExists(atPath: state.path + "/servers/m/commit-\(commit.prefix(12))/scratch.txt"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: state.path + "/models/m/v1") == ["model.joblib"], "the registered files are untouched")
    }

    @Test("a server that is ready but never for its model fails naming the URL, its answer and the server's log",
          .enabled(if: hasPython, "needs /usr/bin/python3 for the fake server"))
    func readyWithoutModel() async throws {
        let state = try TemporaryDirectory()
        let commit = String(repeating: "c", count: 40)
        try Self.prepared(state, commit: commit)
        let runtime = Self.runtime(state, readiness: .seconds(3))
        do throws(ActionError) {
            let replicas = try await runtime.startReplicas(Self.launch(revision: 3, commit: commit, modelReady: false), workspace: nil, indices: [0], at: Date())
            await runtime.stopReplicas(replicas)
            Issue.record("a server without its model was taken as ready")
        } catch {
            let log = state.path + "/servers/m/r3-replica-0.log"
            #expect(error.reason == "ServerNotReady")
            #expect(error.message.hasPrefix("the server of r3 (\(Self.python) serving/server.py) was not ready for m within 3s: "
                                            + "GET http://127.0.0.1:"), "\(error.message)")
            #expect(error.message.contains("/v2/models/m/ready answered HTTP 404; log \(log):\n"), "\(error.message)")
            #expect(error.message.contains("cwd \(state.path)/servers/m/r3-replica-0"), "the log's tail: \(error.message)")
        }
        #expect(await runtime.stopAll() == 0, "the server was stopped")
    }

    static func logLines(_ path: String, count: Int) async -> [String] {
        var lines: [String] = []
        _ = try? await eventually {
            lines = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            return lines.count >= count
        }
        return lines
    }
}
