#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import Testing
@testable import SextantRuntime
import SextantAPI
import SextantCore
import SextantTestSupport

/// A trainer's timeout is measured on the runtime's clock, and a stop is cleanup: a
/// process gets SIGTERM and its whole grace to exit, also when the task asking for the
/// stop is cancelled.
@Suite struct ClockedWaitTests {
    /// A shell that handles SIGTERM by taking half a second, then exiting with status 7;
    /// it touches `ready` once its handler is set.
    static let slowToStop = #"trap 'sleep 0.5; echo handled > "$HOME/terminated"; exit 7' TERM; touch "$HOME/ready"; while :; do sleep 0.1; done"#

    static func trainingJob(_ state: TemporaryDirectory, command: [String], timeout: Duration) throws -> TrainingJob {
        try state.write("data.csv", "x,y\n" + (0..<20).map { "\($0),\($0 % 2 == 0)" }.joined(separator: "\n") + "\n")
        let data = TrainingData(dataset: "d", location: .file(path: state.path + "/data.csv"), sha256: "", task: .binaryClassification, target: "y",
                                targetType: .boolean, features: [FeatureColumn(name: "x", logicalType: .integer)], holdout: 0.25, splitSeed: 1, stratify: false)
        return TrainingJob(model: "slow", fingerprint: String(repeating: "b", count: 64), commit: "c0ffee", data: data,
                           trainer: .command(command, Workspace(commit: "c0ffee", files: [:])), hyperparameters: [:], seed: 1, timeout: timeout,
                           contractSha256: "")
    }

    @Test("a trainer's timeout fires when the runtime's clock passes it, not in real time")
    func trainerTimeoutOnTheClock() async throws {
        let state = try TemporaryDirectory()
        let clock = ManualClock()
        let runtime = EmbeddedRuntime(blobs: ServerInstanceTests.NoBlobs(), stateDirectory: state.path, clock: clock)
        // An hour: a test that waited for it in real time would not end.
        let job = try Self.trainingJob(state, command: ["sleep", "300"], timeout: .seconds(3600))
        let finished = Atomic<Bool>(false)
        let training = Task { () -> ActionError? in
            defer { finished.store(true, ordering: .relaxed) }
            do throws(ActionError) {
                _ = try await runtime.train(job, version: 1)
                return nil
            } catch {
                return error
            }
        }
        // Generous: other suites' child processes may keep this one waiting on a loaded machine.
        #expect(await clock.waitForSleepers(within: .seconds(180)), "the trainer runs and the runtime waits for it on the clock")
        #expect(runtime.processes.live().map(\.role) == ["trainer"])
        clock.advance(by: .seconds(3599))
        #expect(await clock.waitForSleepers(within: .seconds(180)))
        try await Task.sleep(for: .milliseconds(200))
        let finishedEarly = finished.load(ordering: .relaxed)
        #expect(!finishedEarly, "the timeout has not passed on the clock")

        clock.advance(by: .seconds(1))
        // The stop's grace is on the clock too: let time pass until the training ends.
        for _ in 0..<1000 where !finished.load(ordering: .relaxed) {
            clock.advance(by: .milliseconds(50))
            try await Task.sleep(for: .milliseconds(5))
        }
        let finishedOnTime = finished.load(ordering: .relaxed)
        #expect(finishedOnTime, "the timeout fired once the clock passed it")
        if !finishedOnTime {
            // The stop's grace runs on this clock even when cancelled: keep it moving, and
            // never await a training that cannot end (the suite would hang).
            training.cancel()
            for _ in 0..<1000 where !finished.load(ordering: .relaxed) {
                clock.advance(by: .milliseconds(50))
                try await Task.sleep(for: .milliseconds(5))
            }
            let ended = finished.load(ordering: .relaxed)
            try #require(ended, "the cancelled training did not end")
        }
        let error = try #require(await training.value, "the training failed")
        #expect(error.message.contains("ran past its timeout of 1h"), "\(error.message)")
        #expect(runtime.processes.live().isEmpty, "the trainer was stopped")
    }

    @Test("a stop under a cancelled task still gives the process its grace: SIGTERM handled, no SIGKILL")
    func stopFinishesUnderCancellation() async throws {
        let directory = try TemporaryDirectory()
        let table = ProcessTable(stateDirectory: directory.path)
        let identity = try table.spawn(["sh", "-c", Self.slowToStop], directory: directory.path,
                                       environment: ["PATH": "/usr/bin:/bin", "HOME": directory.path], log: directory.path + "/log", role: "test")
        defer { identity.signal(SIGKILL) }
        // Generous: on a loaded machine a shell can take long to start.
        #expect(try await eventually(timeout: .seconds(120)) { FileManager.default.fileExists(atPath: directory.path + "/ready") })

        await Task {
            withUnsafeCurrentTask { $0?.cancel() }
            #expect(Task.isCancelled)
            await table.stop(identity, grace: .seconds(5))
        }.value
        #expect(await ProcessSpawnTests.waitForExit(identity.pid) == .exited(7), "it ran its SIGTERM handler to the end")
        #expect(table.live().isEmpty)
    }

    @Test("a cancelled training's trainer gets SIGTERM and its grace before any SIGKILL")
    func cancelledTrainingStopsGracefully() async throws {
        let state = try TemporaryDirectory()
        let runtime = EmbeddedRuntime(blobs: ServerInstanceTests.NoBlobs(), stateDirectory: state.path)
        let job = try Self.trainingJob(state, command: ["sh", "-c", Self.slowToStop], timeout: .seconds(300))
        let runs = state.path + "/runs"
        /// A file in the training's run directory (its HOME), once there.
        @Sendable func inRun(_ name: String) -> String? {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: runs)) ?? []
            return entries.map { "\(runs)/\($0)/\(name)" }.first { FileManager.default.fileExists(atPath: $0) }
        }
        let training = Task { () -> ActionError? in
            do throws(ActionError) {
                _ = try await runtime.train(job, version: 1)
                return nil
            } catch {
                return error
            }
        }
        #expect(try await eventually(timeout: .seconds(120)) { inRun("ready") != nil }, "the trainer runs")
        training.cancel()
        let error = await training.value
        #expect(error?.message == "the training was cancelled")
        let terminated = try #require(inRun("terminated"), "the trainer's SIGTERM handler ran to its end")
        #expect(try String(contentsOfFile: terminated, encoding: .utf8) == "handled\n")
        #expect(runtime.processes.live().isEmpty)
    }
}
