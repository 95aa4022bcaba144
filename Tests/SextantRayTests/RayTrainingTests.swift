import Foundation
import SextantAPI
import SextantCore
import SextantRay
import SextantTestSupport
import Testing

/// External trainers as Ray Jobs against a real single-node Ray: the output comes back
/// byte for byte through the job's log, a restarted daemon adopts the job it submitted
/// before, and a failure, a timeout or a cancellation end the job with a clear error.
@Suite(.enabled(if: RayCluster.isAvailable, RayCluster.unavailable), .rayCluster, .timeLimit(.minutes(10)))
struct RayTrainingTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/train_repo").path
    static let trainCSV = "x,y\n" + (0..<40).map { "\($0),\($0 % 3 == 0)" }.joined(separator: "\n") + "\n"

    /// A training of the fixture's trainer in `mode`, with a fingerprint of its own (the
    /// suite's cluster lives as long as the test run: no job of another test is adopted).
    static func job(mode: String, timeout: Duration = .seconds(240), fingerprint: String = randomFingerprint()) -> TrainingJob {
        let data = TrainingData(dataset: "d", location: .file(path: "/unused"), sha256: "", task: .binaryClassification, target: "y",
                                targetType: .boolean, features: [FeatureColumn(name: "x", logicalType: .integer)], holdout: 0.25,
                                splitSeed: 1, stratify: false)
        return TrainingJob(model: "churn", fingerprint: fingerprint, commit: "c0ffee", data: data,
                           trainer: .command(["python3", "train.py"], Workspace(commit: "c0ffee", files: [:])),
                           hyperparameters: ["mode": .string(mode)], seed: 42, timeout: timeout, contractSha256: "")
    }

    static func randomFingerprint() -> String {
        (UUID().uuidString + UUID().uuidString).lowercased().filter(\.isHexDigit)
    }

    /// A run directory as Sextant prepares it: the repository's files and the data under `.sextant/`.
    static func run(in state: TemporaryDirectory, _ name: String = "run") throws -> TrainerRun {
        let directory = state.path + "/\(name)"
        try FileManager.default.createDirectory(atPath: directory + "/.sextant", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixture + "/train.py", toPath: directory + "/train.py")
        try Data(trainCSV.utf8).write(to: URL(fileURLWithPath: directory + "/.sextant/train.csv"))
        try Data("x,y\n1,false\n".utf8).write(to: URL(fileURLWithPath: directory + "/.sextant/eval.csv"))
        return TrainerRun(directory: directory, log: state.path + "/logs/\(name)/trainer.log", destination: state.path + "/models/churn/v1")
    }

    static func training() throws -> RayTraining {
        RayTraining(client: try RayCluster.client(), pollInterval: .milliseconds(250))
    }

    /// Trains and returns the error, if any.
    static func outcome(_ training: RayTraining, _ job: TrainingJob, _ run: TrainerRun) async -> ActionError? {
        do throws(ActionError) {
            try await training.train(job, command: ["python3", "train.py"], run: run)
            return nil
        } catch {
            return error
        }
    }

    @Test("the trainer runs as a Ray Job and its output arrives byte for byte; the log is kept without the output block")
    func outputArrives() async throws {
        let state = try TemporaryDirectory()
        let run = try Self.run(in: state)
        let job = Self.job(mode: "ok")
        let error = await Self.outcome(try Self.training(), job, run)
        #expect(error == nil)
        let model = try #require(FileManager.default.contents(atPath: run.destination + "/model.bin"))
        #expect(Array(model) == Array(0...255) + Array(Self.trainCSV.utf8))
        let contract = try #require(FileManager.default.contents(atPath: run.destination + "/nested/contract.json"))
        #expect(String(decoding: contract, as: UTF8.self)
            == #"{"SEXTANT_FEATURES": "x", "SEXTANT_MODEL_NAME": "churn", "SEXTANT_SEED": "42", "SEXTANT_TARGET": "y", "eval_exists": true}"#)
        #expect(try FileManager.default.contentsOfDirectory(atPath: run.destination).sorted() == ["model.bin", "nested"])
        let log = try String(contentsOfFile: run.log, encoding: .utf8)
        #expect(log.contains("training in "))
        #expect(log.contains("done"))
        #expect(log.contains("sha256=" + String(repeating: "0", count: 64)), "the trainer's lookalike stays in the log")
        #expect(log.components(separatedBy: "output v1 end").count == 2, "the trainer's lookalike end line stays, the wrapper's block does not")
    }

    @Test("a restarted daemon adopts the job of the same fingerprint, running or finished: one job in Ray, the same output each time")
    func restartedDaemonAdopts() async throws {
        let state = try TemporaryDirectory()
        let job = Self.job(mode: "slow")
        let id = RayTraining.submissionID(model: job.model, fingerprint: job.fingerprint)
        let client = try RayCluster.client()
        let first = try Self.run(in: state, "first")
        let original = Task { await Self.outcome(try Self.training(), job, first) }
        #expect(try await eventually(timeout: .seconds(120)) { try await client.job(id) != nil })
        // The "restarted daemon": another RayTraining, another run directory, the same fingerprint.
        var second = try Self.run(in: state, "second")
        second.destination = state.path + "/models-restarted/churn/v1"
        let restartedError = await Self.outcome(try Self.training(), job, second)
        #expect(restartedError == nil)
        #expect(try await original.value == nil)
        let model = try #require(FileManager.default.contents(atPath: second.destination + "/model.bin"))
        #expect(model == FileManager.default.contents(atPath: first.destination + "/model.bin"))
        // Restarted once more after the job ended: the finished job's output, again without a new job.
        var third = try Self.run(in: state, "third")
        third.destination = state.path + "/models-finished/churn/v1"
        #expect(await Self.outcome(try Self.training(), job, third) == nil)
        #expect(FileManager.default.contents(atPath: third.destination + "/model.bin") == model)
        let jobs = try await client.jobs().filter { $0.submissionID.hasPrefix(id) }
        #expect(jobs.map(\.submissionID) == [id], "exactly one job, never a second submission")
    }

    @Test("a failing trainer gives an error with its exit status and its last log lines")
    func failingTrainer() async throws {
        let state = try TemporaryDirectory()
        let run = try Self.run(in: state)
        let error = try #require(await Self.outcome(try Self.training(), Self.job(mode: "fail"), run))
        #expect(error.reason == "TrainerFailed")
        #expect(error.message.contains("the trainer exited with status 7"), "\(error.message)")
        #expect(error.message.contains("ValueError: the target column is constant"), "\(error.message)")
        #expect(error.message.contains(run.log))
        #expect(try String(contentsOfFile: run.log, encoding: .utf8).contains("loading the data"))
        #expect(!FileManager.default.fileExists(atPath: run.destination))
    }

    @Test("an output over the limit fails the training, naming the limit")
    func outputOverTheLimit() async throws {
        let state = try TemporaryDirectory()
        let training = RayTraining(client: try RayCluster.client(), pollInterval: .milliseconds(250), outputLimit: 100)
        let run = try Self.run(in: state)
        let error = try #require(await Self.outcome(training, Self.job(mode: "ok"), run))
        #expect(error.reason == "TrainerFailed")
        #expect(error.message.contains("the trainer's output cannot be handed back: the trainer's output is "), "\(error.message)")
        #expect(error.message.contains("over the limit of 100 bytes that the Ray runtime hands back through the job's log"), "\(error.message)")
        #expect(!FileManager.default.fileExists(atPath: run.destination))
    }

    @Test("a trainer that writes nothing fails with NoOutput")
    func noOutput() async throws {
        let state = try TemporaryDirectory()
        let error = try #require(await Self.outcome(try Self.training(), Self.job(mode: "empty"), try Self.run(in: state)))
        #expect(error.reason == "NoOutput", "\(error.message)")
        #expect(error.message.contains("wrote nothing to SEXTANT_OUTPUT_DIR"))
    }

    @Test("a trainer past its timeout has its job stopped")
    func timeoutStops() async throws {
        let state = try TemporaryDirectory()
        let job = Self.job(mode: "sleep", timeout: .seconds(5))
        let error = try #require(await Self.outcome(try Self.training(), job, try Self.run(in: state)))
        #expect(error.reason == "TrainingTimeout", "\(error.message)")
        #expect(error.message.contains("past its timeout of 5s"))
        let ended = try await RayCluster.client().finished(RayTraining.submissionID(model: job.model, fingerprint: job.fingerprint))
        #expect(ended.status == .stopped)
    }

    @Test("a cancelled training stops its job; the same fingerprint then takes a new job rather than adopting the stopped one")
    func cancellationStops() async throws {
        let state = try TemporaryDirectory()
        let job = Self.job(mode: "sleep")
        let id = RayTraining.submissionID(model: job.model, fingerprint: job.fingerprint)
        let client = try RayCluster.client()
        let run = try Self.run(in: state)
        let training = Task { await Self.outcome(try Self.training(), job, run) }
        #expect(try await eventually(timeout: .seconds(120)) { try await client.job(id)?.status == .running })
        training.cancel()
        let error = try #require(try await training.value)
        #expect(error.message.contains("cancelled"), "\(error.message)")
        #expect(error.reason == nil)
        #expect(try await client.finished(id).status == .stopped)
        // The next attempt of the same fingerprint: not the stopped job, a second one (cancelled in turn).
        let retry = Task { await Self.outcome(try Self.training(), job, run) }
        #expect(try await eventually(timeout: .seconds(120)) { try await client.job(id + "-2") != nil })
        retry.cancel()
        _ = try await retry.value
        #expect(try await client.finished(id + "-2").status == .stopped)
    }
}
