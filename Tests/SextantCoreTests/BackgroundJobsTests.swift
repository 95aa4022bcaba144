import Foundation
import Synchronization
import Testing
import SextantAPI
@testable import SextantCore
import SextantTestSupport

/// Long actions as background jobs across passes, with the fake runtime.
@Suite struct BackgroundJobsTests {
    /// A reconciler whose long actions run as jobs, and the task that runs them.
    final class Rig: Sendable {
        let source = FakeSource()
        let store = MemoryStore()
        let runtime = FakeRuntime()
        let reconciler: Reconciler
        /// Jobs that have finished (counted by the loop's wake-up).
        final class Counter: Sendable {
            let value = Atomic<Int>(0)
        }

        let finished = Counter()
        let jobs: Task<Void, Never>

        init(files: [String: String], maxParallelTraining: Int = 1) async {
            source.push("c1", files)
            reconciler = Reconciler(source: source, store: store, runtime: runtime, clock: ManualClock(),
                                    options: .init(maxParallelTraining: maxParallelTraining))
            await reconciler.runJobsInBackground()
            let (reconciler, finished) = (reconciler, finished)
            jobs = Task { await reconciler.jobs.run(onFinish: { finished.value.add(1, ordering: .relaxed) }) }
        }

        var trainings: Int { runtime.models.withLock { $0.trainings.count } }
        func release() { runtime.models.withLock { $0.holdTraining = false } }
        func events(_ reason: EventReason) -> [Event] { store.data.withLock { $0.events.filter { $0.reason == reason } } }

        /// Waits until `count` jobs have finished. Generous: in the full suite, tests that wait
        /// for child processes synchronously can hold the few threads async tests share.
        func waitForJobs(_ count: Int) async throws {
            let done = try await eventually(timeout: .seconds(120)) { finished.value.load(ordering: .relaxed) >= count }
            try #require(done, "\(finished.value.load(ordering: .relaxed)) of \(count) jobs finished")
        }
    }

    static func twoModels() -> [String: String] {
        var files = ModelReconcilerTests.files()
        files["model-2.yaml"] = ModelPlannerTests.model().replacingOccurrences(of: "metadata: {name: fraud}", with: "metadata: {name: fraud-2}")
        return files
    }

    @Test("a training runs across passes: the pass does not wait for it, nothing is left to do meanwhile, it never starts twice, and its end wakes the loop")
    func trainingAcrossPasses() async throws {
        let rig = await Rig(files: ModelReconcilerTests.files())
        rig.runtime.models.withLock { $0.holdTraining = true }
        let first = try await rig.reconciler.pass()
        #expect(try ModelReconcilerTests.model(first).phase == .training)
        #expect(first.remaining.actions.isEmpty, "the running training is not left for the loop to do")
        try #require(try await eventually(timeout: .seconds(120)) { rig.trainings == 1 })
        #expect(try await rig.reconciler.pass().actions == 0)
        #expect(rig.trainings == 1)
        #expect(rig.finished.value.load(ordering: .relaxed) == 0)

        rig.release()
        try await rig.waitForJobs(1)
        #expect(rig.events(.trained).count == 1)
        // Each next step is a job of its own until the revision serves.
        var status = try ModelReconcilerTests.model(try await rig.reconciler.pass())
        for jobs in 2...3 where status.phase != .serving {
            try await rig.waitForJobs(jobs)
            status = try ModelReconcilerTests.model(try await rig.reconciler.pass())
        }
        #expect(status.phase == .serving)
        #expect(rig.trainings == 1)
        rig.jobs.cancel()
        await rig.jobs.value
    }

    @Test("a job that ends while a pass observes is planned on: the pass does not train the same version again")
    func jobEndsWhilePassObserves() async throws {
        let rig = await Rig(files: ModelReconcilerTests.files())
        rig.runtime.models.withLock { $0.holdTraining = true }
        _ = try await rig.reconciler.pass()
        try #require(try await eventually(timeout: .seconds(120)) { rig.trainings == 1 })

        // The next pass stops in its probes; the training ends and records v1 meanwhile.
        rig.runtime.models.withLock { $0.holdProbes = true }
        let reconciler = rig.reconciler
        let pass = Task { try await reconciler.pass() }
        try await Task.sleep(for: .milliseconds(50))
        rig.release()
        try await rig.waitForJobs(1)
        rig.runtime.models.withLock { $0.holdProbes = false }
        _ = try await pass.value

        #expect(rig.trainings == 1, "the pass planned on what it observed before the training ended")
        #expect(rig.events(.trained).count == 1)
        rig.jobs.cancel()
        await rig.jobs.value
    }

    @Test("one training slot: the second model's training waits, not left to do, and starts when the first ends")
    func trainingSlots() async throws {
        let rig = await Rig(files: Self.twoModels())
        rig.runtime.models.withLock { $0.holdTraining = true }
        let first = try await rig.reconciler.pass()
        #expect(first.remaining.actions.isEmpty)
        try #require(try await eventually(timeout: .seconds(120)) { rig.trainings == 1 })
        #expect(try await rig.reconciler.pass().actions == 0)
        #expect(rig.trainings == 1)
        rig.release()
        try await rig.waitForJobs(1)
        _ = try await rig.reconciler.pass()
        try await rig.waitForJobs(2)
        #expect(rig.trainings == 2)
        #expect(Set(rig.events(.trained).map(\.name)) == ["fraud", "fraud-2"])
        rig.jobs.cancel()
        await rig.jobs.value
    }

    @Test("a training cancelled with the jobs is journaled Cancelled, changes nothing else, and the next start trains once")
    func cancelledTraining() async throws {
        let rig = await Rig(files: ModelReconcilerTests.files())
        rig.runtime.models.withLock { $0.holdTraining = true }
        _ = try await rig.reconciler.pass()
        let started = try await eventually(timeout: .seconds(120)) { rig.trainings == 1 }
        try #require(started)
        rig.jobs.cancel()
        await rig.jobs.value
        #expect(rig.events(.cancelled).map(\.name) == ["fraud"])
        #expect(rig.events(.trainFailed).isEmpty && rig.events(.trainingFailed).isEmpty)
        let object = rig.store.data.withLock { $0.objects[ModelReconcilerTests.key] }
        #expect(object?.failure == nil && object?.model?.stall == nil, "no backoff and no stop: the next daemon trains at once")

        // The next daemon: same store, its first pass trains (within the pass, as `reconcile --once` does).
        rig.release()
        let restarted = Reconciler(source: rig.source, store: rig.store, runtime: rig.runtime, clock: ManualClock())
        let status = try ModelReconcilerTests.model(try await restarted.pass())
        #expect(status.phase == .serving)
        #expect(rig.trainings == 2)
        #expect(rig.events(.trained).count == 1)
    }
}
