import Synchronization

/// Long actions (training, evaluation, packaging) that run across passes (DESIGN §1
/// "Transitions and effects"): a pass starts them and never waits for them; each records
/// its own outcome when it ends, and wakes the loop. They run as child tasks of `run()`,
/// so cancelling it (SIGINT, the loop's end) cancels them and reaches their work (a
/// trainer's process group is stopped).
package final class BackgroundJobs: Sendable {
    /// A started job: the action it performs, and the work (which journals its end).
    struct Job: Sendable {
        var action: Action
        var work: @Sendable () async -> Void
    }

    private let running = Mutex<[ObjectKey: Action]>([:])
    private let queue: AsyncStream<Job>
    private let queued: AsyncStream<Job>.Continuation

    package init() {
        (queue, queued) = AsyncStream.makeStream()
    }

    /// Runs the jobs started, until the task is cancelled; then cancels those still running
    /// and returns once they have ended. One caller at a time (the reconcile loop).
    /// - Parameter onFinish: called after each job recorded its outcome (wakes the loop).
    package func run(onFinish: @escaping @Sendable () -> Void) async {
        await withDiscardingTaskGroup { group in
            for await job in queue {
                group.addTask {
                    await job.work()
                    // Only now: a pass that ran meanwhile saw the job running, so it never
                    // started the same action again.
                    self.running.withLock { _ = $0.removeValue(forKey: job.action.key) }
                    onFinish()
                }
            }
            group.cancelAll()
        }
    }

    /// Starts `work` for `action` unless a job of the same object runs.
    /// - Returns: whether it started.
    func start(_ action: Action, work: @escaping @Sendable () async -> Void) -> Bool {
        let started = running.withLock { running in
            guard running[action.key] == nil else { return false }
            running[action.key] = action
            return true
        }
        if started { queued.yield(Job(action: action, work: work)) }
        return started
    }

    /// The job running for an object, if any.
    func running(_ key: ObjectKey) -> Action? {
        running.withLock { $0[key] }
    }

    /// How many jobs run that train, or that do not.
    func count(training: Bool) -> Int {
        running.withLock { $0.values.count { $0.isTraining == training } }
    }
}

extension Action {
    /// Whether it runs as a background job when the reconciler has them: the actions that
    /// take minutes (training, evaluation through a server, packaging).
    var isLong: Bool {
        switch self {
        case .train, .evaluate, .package, .propose, .retrain: true
        case .checkDataset, .serve, .stopServing, .rollout, .retire, .prune: false
        }
    }
}
