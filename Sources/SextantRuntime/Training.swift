import Foundation
import SextantAPI
package import SextantCore
import SextantML

extension EmbeddedRuntime {
    package func train(_ job: TrainingJob, version: Int) async throws(ActionError) -> TrainingOutput {
        guard let state = stateDirectory else { throw ActionError("this runtime has no state directory to keep models in") }
        let bytes = try await readData(job.data.location)
        let data = try await offPool { () throws(ActionError) -> ModelData in try ModelData(job.data, bytes: bytes) }
        let relative = "models/\(job.model)/v\(version)"
        let destination = state + "/" + relative
        try? FileManager.default.removeItem(atPath: destination)
        do {
            try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        } catch {
            throw ActionError("cannot create \(destination): \(error.localizedDescription)")
        }
        switch job.trainer {
        case .builtin(let trainer):
            try await offPool { () throws(ActionError) in try Self.trainBuiltin(job, trainer: trainer, data: data, into: destination) }
        case .command(let command, let workspace):
            try await trainExternal(job, command: command, workspace: workspace, data: data, into: destination, state: state)
        }
        try await offPool { () throws(ActionError) in try Self.keepReference(job, data: data, state: state, modelDirectory: relative) }
        return TrainingOutput(modelDirectory: relative, trainingRows: data.train.count, holdoutRows: data.holdout.count,
                              classes: job.data.task.isClassification ? data.classes : [])
    }

    /// A built-in trainer, in-process and deterministic.
    static func trainBuiltin(_ job: TrainingJob, trainer: SextantAPI.BuiltinTrainer, data: ModelData, into destination: String) throws(ActionError) {
        guard let builtin = SextantML.BuiltinTrainer(rawValue: trainer.rawValue) else { throw ActionError("unknown trainer \(trainer.rawValue)") }
        func number(_ name: String) -> Double? { job.hyperparameters[name]?.number }
        let features = job.data.features.map { FeatureSpec(name: $0.name, type: $0.logicalType.columnType, categories: $0.categories) }
        let model: TrainedModel
        do throws(TrainingError) {
            let columns = try ModelTrainer.columns(data.table, features)
            model = try ModelTrainer.train(columns: columns, targets: data.labels, SextantML.TrainingSpec(
                trainer: builtin, target: job.data.target, targetType: job.data.task == .regression ? .number : job.data.targetType.columnType,
                features: features, l2: number("l2"), maxIterations: number("maxIterations").map { Int($0) } ?? 100,
                tolerance: number("tolerance") ?? 1e-6, trainRows: data.train))
        } catch {
            throw ActionError(error.message, reason: "TrainingFailed")
        }
        do {
            try model.encoded().write(to: URL(fileURLWithPath: destination + "/model.json"))
        } catch {
            throw ActionError("cannot write \(destination)/model.json: \(error.localizedDescription)")
        }
    }

    /// An external trainer (DESIGN §5): its run directory holds the watched root at the
    /// commit; a clean environment; lower priority; a timeout; its log kept. Under a
    /// sandbox the run directory is the sandbox user's, in the work directory, while the
    /// log stays in the private state directory, where the trainer cannot replace it. With a
    /// trainer host (the Ray runtime), the prepared run directory is the host's to run.
    func trainExternal(_ job: TrainingJob, command: [String], workspace: Workspace, data: ModelData, into destination: String,
                       state: String) async throws(ActionError) {
        let id = "train-\(job.model)-\(job.fingerprint.prefix(12))-\(Int(Date().timeIntervalSince1970))"
        let run = "\(workDirectory ?? state)/runs/\(id)"
        let own = run + "/.sextant"
        let output = own + "/output"
        let logDirectory = "\(state)/runs/\(id)/.sextant"
        let log = logDirectory + "/trainer.log"
        do {
            if let sandbox { try sandbox.makeTraversable(run, below: sandbox.workDirectory) }
            try await materialize(workspace, at: run)
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
            try Data(data.csv(rows: data.train)).write(to: URL(fileURLWithPath: own + "/train.csv"))
            try Data(data.csv(rows: data.holdout)).write(to: URL(fileURLWithPath: own + "/eval.csv"))
            try sandbox?.handOver(run)
        } catch let error as ActionError {
            throw error
        } catch {
            throw ActionError("cannot prepare \(run): \(error)")
        }
        if let trainerHost {
            // The log outside the run directory, which the host may upload as it is.
            let run = TrainerRun(directory: run, log: "\(state)/runs/\(id).log", destination: destination)
            try await trainerHost.train(job, command: command, run: run)
            return
        }
        let hyperparameters = JSONValue.object(job.hyperparameters).typedJSON
        let environment = [
            "PATH": inheritedPath, "HOME": run, "LANG": "C.UTF-8",
            "SEXTANT_TRAIN_DATA": own + "/train.csv", "SEXTANT_EVAL_DATA": own + "/eval.csv",
            "SEXTANT_TARGET": job.data.target, "SEXTANT_FEATURES": job.data.features.map(\.name).joined(separator: ","),
            "SEXTANT_HYPERPARAMETERS": hyperparameters, "SEXTANT_SEED": String(job.seed), "SEXTANT_OUTPUT_DIR": output,
            "SEXTANT_MODEL_NAME": job.model,
        ]
        let identity: ProcessIdentity
        do throws(SpawnError) {
            let niced = ["nice", "-n", "10"] + command
            identity = try processes.spawn(sandbox?.wrap(niced) ?? niced, directory: run, environment: environment, log: log, role: "trainer")
        } catch {
            throw ActionError(error.message, reason: "TrainerFailed")
        }
        let deadline = clock.deadline(after: job.timeout)
        while identity.isAlive, clock.now() < deadline {
            do {
                try await clock.sleep(for: .milliseconds(50))
            } catch {
                break  // cancelled
            }
        }
        if Task.isCancelled {
            await processes.stop(identity, grace: .seconds(5))
            throw ActionError("the training was cancelled")
        }
        if identity.isAlive {
            await processes.stop(identity, grace: .seconds(5))
            throw ActionError("the trainer ran past its timeout of \(describe(job.timeout)) and was stopped; log \(log):\n\(logTail(log))", reason: "TrainingTimeout")
        }
        processes.forget(identity.pid)
        // The reaper thread records the status as the child exits; give it a moment.
        var status = ProcessTable.exitStatus(of: identity.pid)
        let reaped = clock.deadline(after: .seconds(2))
        while status == nil, clock.now() < reaped {
            try? await clock.sleep(for: .milliseconds(10))
            status = ProcessTable.exitStatus(of: identity.pid)
        }
        guard let status else {
            // Not reaped yet (a child of the trainer may hold its output open): never take
            // an unknown outcome for a success.
            throw ActionError("the trainer's exit status is unknown (did it leave a process running?); log \(log)")
        }
        if status != 0 {
            throw ActionError("the trainer exited with status \(status); log \(log):\n\(logTail(log))", reason: "TrainerFailed")
        }
        try? FileManager.default.removeItem(atPath: destination)
        let copied: Int
        do throws(ModelFiles.CopyError) {
            copied = try ModelFiles.copy(from: output, to: destination)
        } catch {
            throw ActionError("the trainer's output cannot be kept: \(error.message); log \(log)", reason: "TrainerFailed")
        }
        guard copied > 0 else {
            throw ActionError("the trainer wrote nothing to SEXTANT_OUTPUT_DIR; log \(log):\n\(logTail(log))", reason: "NoOutput")
        }
    }

    /// Writes a commit's files into a directory (skipping what is there already).
    func materialize(_ workspace: Workspace, at directory: String) async throws(ActionError) {
        for (path, blob) in workspace.files.sorted(by: { $0.key < $1.key }) {
            let target = directory + "/" + path
            if FileManager.default.fileExists(atPath: target) { continue }
            let bytes: [UInt8]
            do throws(SourceFailure) {
                bytes = try await blobs.readBlob(blob)
            } catch {
                throw ActionError("cannot read \(path) at \(workspace.commit.prefix(7)): \(error.message)")
            }
            do {
                try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(bytes).write(to: URL(fileURLWithPath: target))
            } catch {
                throw ActionError("cannot write \(target): \(error.localizedDescription)")
            }
        }
    }

    /// A dataset's bytes, from the commit or the local file.
    func readData(_ location: DataLocation) async throws(ActionError) -> [UInt8] {
        switch location {
        case .commit(let path, let blob):
            do throws(SourceFailure) {
                return try await blobs.readBlob(blob)
            } catch {
                throw ActionError("cannot read \(path) from the repository: \(error.message)")
            }
        case .file(let path):
            guard let bytes = Self.readFile(path) else { throw ActionError("cannot read \(path)") }
            return bytes
        case .refused(let reason):
            throw ActionError(reason, reason: "DataUnreadable")
        }
    }

    /// The daemon's `PATH` (children find `python3` where the operator's shell does); no
    /// other variable of the daemon's environment reaches them.
    var inheritedPath: String {
        ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    }
}

func isDirectory(_ path: String) -> Bool {
    var directory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
}

/// A duration as manifests write it: `90s` → `1m30s`, `1s`, `250ms`.
func describe(_ duration: Duration) -> String {
    let milliseconds = Int((duration.seconds * 1000).rounded())
    if milliseconds < 1000 { return "\(milliseconds)ms" }
    var seconds = milliseconds / 1000
    var text = ""
    if seconds >= 3600 { text += "\(seconds / 3600)h"; seconds %= 3600 }
    if seconds >= 60 { text += "\(seconds / 60)m"; seconds %= 60 }
    if seconds > 0 || text.isEmpty { text += "\(seconds)s" }
    return text
}
