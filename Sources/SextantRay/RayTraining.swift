import Foundation
package import SextantCore
import SextantAPI
import SextantRayServe

/// One external training (DESIGN §5, the external trainer contract) as a Ray Job (DESIGN
/// §12): the run directory uploaded as a content-addressed package, the trainer started by
/// Sextant's wrapper (`runtimes/ray/sextant_train/run.py`), the job polled to its end on the
/// injected clock, its log kept, and the trainer's output taken back from that log into the
/// version's model directory.
///
/// The job's submission id comes from the action's fingerprint, so a restarted daemon that
/// trains the same version again finds the job it submitted before (Ray answers "already
/// exists") and adopts it — running or finished — instead of starting a second one. A job
/// that ended without the trainer's doing (stopped early by a cancellation, or failed on
/// Ray's side before the trainer could exit) is not adopted: the next attempt gets the next
/// id (`…-2`, `…-3`), up to `maxAttempts`.
package struct RayTraining: TrainerHost {
    /// The largest output (zipped) handed back: its base64 (4/3 of it) must fit with the
    /// trainer's own log in one answer of `GET /api/jobs/{id}/logs`, which is read up to
    /// 64 MiB.
    package static let defaultOutputLimit = 32 << 20
    /// How many jobs one fingerprint may take when Ray, not the trainer, ends them.
    package static let maxAttempts = 5
    /// Where the wrapper goes in the run directory.
    static let wrapperPath = ".sextant/ray-train.py"

    package let client: RayClient
    let clock: any WallClock
    let pollInterval: Duration
    let outputLimit: Int

    package init(client: RayClient, clock: any WallClock = SystemClock(), pollInterval: Duration = .seconds(1),
                 outputLimit: Int = defaultOutputLimit) {
        self.client = client
        self.clock = clock
        self.pollInterval = pollInterval
        self.outputLimit = outputLimit
    }

    /// The submission id of a fingerprint's `attempt`th job: `sextant-train-churn-0123456789abcdef`, then `…-2`.
    package static func submissionID(model: String, fingerprint: String, attempt: Int = 1) -> String {
        "sextant-train-\(model)-\(fingerprint.prefix(16))" + (attempt > 1 ? "-\(attempt)" : "")
    }

    /// Runs `command` for `job` on Ray and leaves its output in `run.destination`. Failures
    /// of the trainer (its exit status, its timeout, no output) carry a `reason`; failures
    /// of Ray or of the connection to it do not, so they are retried, and the retry adopts
    /// the job still running.
    package func train(_ job: TrainingJob, command: [String], run: TrainerRun) async throws(ActionError) {
        let package = try await upload(run)
        let id = try await submitOrAdopt(job, command: command, package: package)
        let ended = try await finished(id, timeout: job.timeout, log: run.log)
        let (log, archive) = try await keepLog(id, at: run.log)
        let origin = "Ray Job \(id) on \(client.address), log \(run.log)"
        let refusal = log.split(separator: "\n").last { $0.hasPrefix(Self.refusalPrefix) }.map { $0.dropFirst(Self.refusalPrefix.count) }
        switch ended.status {
        case .succeeded:
            guard let archive else {
                throw ActionError("the job succeeded without handing back the trainer's output, no checksummed output block in its log (\(origin)):\n\(tail(log))",
                                  reason: "TrainerFailed")
            }
            try keep(archive, into: run.destination, origin: origin, log: log)
        case .failed where ended.errorType == RayTraining.entrypointFailure && ended.driverExitCode == RayTraining.wrapperFailure && refusal != nil:
            // The wrapper refused the output (over the limit, a symlink in it), saying why.
            throw ActionError("the trainer's output cannot be handed back: \(refusal ?? "") (\(origin))", reason: "TrainerFailed")
        case .failed where ended.errorType == RayTraining.entrypointFailure:
            let status = ended.driverExitCode.map { "exited with status \($0)" } ?? "failed"
            throw ActionError("the trainer \(status) (\(origin)):\n\(tail(log))", reason: "TrainerFailed")
        case .failed:
            throw ActionError("the job failed on Ray's side, \(ended.errorType ?? "no error type"): \(ended.message ?? "no message") (\(origin))")
        case .stopped where RayTraining.ranPastTimeout(ended, job.timeout):
            throw timedOut(job.timeout, origin: origin, log: log)
        case .stopped:
            throw ActionError("the job was stopped before the training ended, not by this daemon (\(origin))")
        case .pending, .running:
            throw ActionError("the job is still \(ended.status.rawValue) (\(origin))")  // not reached: `finished` returns an ended job
        }
    }

    /// Ray's `error_type` of a job whose entrypoint (the wrapper, exiting with the trainer's status) exited non-zero.
    static let entrypointFailure = "JOB_ENTRYPOINT_COMMAND_ERROR"
    /// The wrapper's exit status when the output cannot be handed back (`OUTPUT_FAILURE` in run.py).
    static let wrapperFailure = 3
    /// How the wrapper's refusal line begins (`fail` in run.py).
    static let refusalPrefix = "sextant: output refused: "

    /// Whether a stopped job had run its whole timeout (stopped for it) rather than being stopped early.
    static func ranPastTimeout(_ job: RayJob, _ timeout: Duration) -> Bool {
        guard let start = job.startTime, let end = job.endTime else { return false }
        return end.timeIntervalSince(start) >= timeout.seconds
    }

    /// Whether an ended job is not the trainer's result, so its fingerprint takes another attempt.
    static func endedWithoutTrainer(_ job: RayJob, timeout: Duration) -> Bool {
        switch job.status {
        case .failed: job.errorType != entrypointFailure
        case .stopped: !ranPastTimeout(job, timeout)
        case .pending, .running, .succeeded: false
        }
    }

    // MARK: - Steps

    /// Adds the wrapper to the run directory and uploads it as a package (once per content).
    private func upload(_ run: TrainerRun) async throws(ActionError) -> RayPackage {
        let wrapper = run.directory + "/" + Self.wrapperPath
        let package: RayPackage
        do {
            try FileManager.default.createDirectory(atPath: (wrapper as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(RayTrainWrapper.script).write(to: URL(fileURLWithPath: wrapper))
            package = try RayPackage(directory: run.directory)
        } catch let error as RayPackageError {
            throw ActionError(error.description)
        } catch {
            throw ActionError("cannot write \(wrapper): \(error.localizedDescription)")
        }
        do {
            try await client.upload(package)
        } catch {
            throw ActionError("cannot upload \(run.directory) to Ray: \(error)")
        }
        return package
    }

    /// Submits the fingerprint's job, or adopts the one an earlier daemon submitted.
    private func submitOrAdopt(_ job: TrainingJob, command: [String], package: RayPackage) async throws(ActionError) -> String {
        for attempt in 1...Self.maxAttempts {
            let id = Self.submissionID(model: job.model, fingerprint: job.fingerprint, attempt: attempt)
            do {
                switch try await client.submit(submission(job, id: id, command: command, package: package)) {
                case .submitted:
                    return id
                case .alreadyExists:
                    if let existing = try await client.job(id), Self.endedWithoutTrainer(existing, timeout: job.timeout) { continue }
                    return id
                }
            } catch {
                // Cancelled during the call: Ray may have taken the submission all the same.
                if Task.isCancelled { throw await cancelled(id) }
                throw ActionError("cannot submit the training of \(job.model) to Ray: \(error)")
            }
        }
        throw ActionError("\(Self.maxAttempts) Ray Jobs of \(job.model)'s training (\(Self.submissionID(model: job.model, fingerprint: job.fingerprint))…) "
                          + "ended on Ray's side before the trainer did; see their logs with `GET \(client.address)/api/jobs/{id}/logs`")
    }

    private func submission(_ job: TrainingJob, id: String, command: [String], package: RayPackage) -> RayJobSubmission {
        let commandJSON = (try? JSONEncoder().encode(command)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        // The paths (data, output, HOME) are set by the wrapper, in its private copy of the working directory.
        let environment = [
            "LANG": "C.UTF-8",
            "SEXTANT_TARGET": job.data.target, "SEXTANT_FEATURES": job.data.features.map(\.name).joined(separator: ","),
            "SEXTANT_HYPERPARAMETERS": JSONValue.object(job.hyperparameters).typedJSON, "SEXTANT_SEED": String(job.seed),
            "SEXTANT_MODEL_NAME": job.model,
            "SEXTANT_RAY_COMMAND": commandJSON, "SEXTANT_RAY_OUTPUT_LIMIT": String(outputLimit),
        ]
        return RayJobSubmission(submissionID: id, entrypoint: "python3 \(Self.wrapperPath)",
                                runtimeEnv: RayRuntimeEnv(workingDir: package.uri, envVars: environment),
                                metadata: ["sextant.model": job.model, "sextant.fingerprint": job.fingerprint])
    }

    /// Polls the job until it ends. Its timeout runs from Ray's start time, so an adopted
    /// job keeps the deadline it had; past it, or when the task is cancelled, the job is stopped.
    private func finished(_ id: String, timeout: Duration, log: String) async throws(ActionError) -> RayJob {
        var deadline: Date?
        while true {
            let state: RayJob?
            do {
                state = try await client.job(id)
            } catch {
                if Task.isCancelled { throw await cancelled(id) }
                throw ActionError("cannot follow the Ray Job \(id): \(error)")
            }
            guard let state else { throw ActionError("Ray no longer knows the job \(id) (was its cluster restarted?)") }
            if state.status.isTerminal { return state }
            let end = deadline ?? (state.startTime ?? clock.now()).addingTimeInterval(timeout.seconds)
            deadline = end
            if clock.now() >= end {
                await stopShielded(id)
                let (text, _) = (try? await keepLog(id, at: log)) ?? ("", nil)
                throw timedOut(timeout, origin: "Ray Job \(id) on \(client.address), log \(log)", log: text)
            }
            do {
                try await clock.sleep(for: pollInterval)
            } catch {
                throw await cancelled(id)
            }
        }
    }

    private func cancelled(_ id: String) async -> ActionError {
        await stopShielded(id)
        return ActionError("the training was cancelled; the Ray Job \(id) was stopped")
    }

    private func timedOut(_ timeout: Duration, origin: String, log: String) -> ActionError {
        ActionError("the trainer ran past its timeout of \(Int(timeout.seconds.rounded()))s and was stopped (\(origin)):\n\(tail(log))", reason: "TrainingTimeout")
    }

    /// `POST /api/jobs/{id}/stop`, also when the calling task is cancelled (a new task does
    /// not inherit the cancellation; it is awaited at once). A failed stop is left to Ray:
    /// the job's own end, or the next adoption, settles it.
    private func stopShielded(_ id: String) async {
        let client = client
        _ = await Task { try? await client.stop(id) }.value
    }

    /// Reads the job's log, keeps it (without the output block) at `path`, and returns it with the output's archive.
    private func keepLog(_ id: String, at path: String) async throws(ActionError) -> (log: String, archive: [UInt8]?) {
        let whole: String
        do {
            whole = try await client.logs(id)
        } catch {
            throw ActionError("cannot read the log of the Ray Job \(id): \(error)")
        }
        let split = RayTrainingOutput.split(log: whole)
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(split.log.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw ActionError("cannot write \(path): \(error.localizedDescription)")
        }
        return split
    }

    /// Unpacks the output's archive into the version's model directory.
    private func keep(_ archive: [UInt8], into destination: String, origin: String, log: String) throws(ActionError) {
        let output: RayTrainingOutput
        do throws(RayTrainingOutputError) {
            output = try RayTrainingOutput(archive: archive)
        } catch {
            throw ActionError("the trainer's output cannot be read: \(error.message) (\(origin))", reason: "TrainerFailed")
        }
        guard !output.files.isEmpty else {
            throw ActionError("the trainer wrote nothing to SEXTANT_OUTPUT_DIR (\(origin)):\n\(tail(log))", reason: "NoOutput")
        }
        try? FileManager.default.removeItem(atPath: destination)
        do throws(RayTrainingOutputError) {
            try output.write(into: destination)
        } catch {
            throw ActionError("the trainer's output cannot be kept: \(error.message)")
        }
    }

    /// The last lines of a log, for a failure message.
    private func tail(_ log: String, lines: Int = 12) -> String {
        let last = log.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines)
        return last.isEmpty ? "(the log is empty)" : last.joined(separator: "\n")
    }
}
