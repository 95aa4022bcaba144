import Foundation
#if canImport(Glibc)
import Glibc
#endif
package import Logging
import ServiceLifecycle
import Synchronization

/// The reconciler as a long-running service: a pass, then a wait until the interval has
/// passed, the earliest retry is due, or someone asks for a pass now (a webhook, a
/// command). Per-object backoff lives in the planner's retries, so one failing dataset
/// never slows the others. A graceful shutdown lets the current pass finish.
package struct ReconcileLoop: Service {
    private let reconciler: Reconciler
    private let interval: Duration
    private let trigger: PassTrigger
    private let jitter: Double
    private let onPass: @Sendable (Reconciler.PassReport) async -> Void
    private let logger: Logger

    /// The loop waits on the reconciler's clock.
    ///
    /// - Parameters:
    ///   - trigger: asks for a pass as soon as the current one ends.
    ///   - jitter: each wait for the interval is stretched or shrunk by up to this fraction,
    ///     so daemons started together do not fetch in step.
    ///   - onPass: called after every pass (readiness, watchers).
    package init(reconciler: Reconciler, interval: Duration, trigger: PassTrigger = PassTrigger(), jitter: Double = 0.1, onPass: @escaping @Sendable (Reconciler.PassReport) async -> Void = { _ in },
                logger: Logger = Logger(label: "sextant.loop")) {
        self.reconciler = reconciler
        self.interval = interval
        self.trigger = trigger
        self.jitter = max(0, min(jitter, 0.5))
        self.onPass = onPass
        self.logger = logger
    }

    /// Passes until the end (a graceful shutdown lets the pass under way finish; a
    /// cancellation, SIGINT, cancels it), with the long actions running beside them as
    /// background jobs, which end with the loop: cancelled, journaled as such, and started
    /// again by the next daemon.
    package func run() async throws {
        let reconciler = reconciler
        let trigger = trigger
        await withDiscardingTaskGroup { group in
            group.addTask { await reconciler.jobs.run(onFinish: { trigger.request() }) }
            await reconciler.runJobsInBackground()
            await passes()
            group.cancelAll()
        }
        await reconciler.flushBeforeExit()
    }

    private func passes() async {
        let clock = reconciler.clock
        var storeFailures = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let wait: Duration
            do {
                let report = try await reconciler.pass()
                storeFailures = 0
                Self.releaseFreedMemory()
                await onPass(report)
                let jittered = interval * (1 + Double.random(in: -jitter...jitter))
                wait = Self.wait(after: report, interval: jittered, now: clock.now())
            } catch {
                // The store failed: nothing was half-applied (each write is one transaction,
                // and what already happened waits in the reconciler's memory). `/readyz`,
                // status and metrics say so through the reconciler's StoreHealth; try again
                // with the same backoff as any action, never slower than the interval.
                storeFailures += 1
                wait = Self.wait(afterStoreFailures: storeFailures, interval: interval)
                logger.error("pass failed", metadata: ["error": "\(error)", "retryInSeconds": "\(Int(wait.seconds))"])
            }
            guard wait > .zero else { continue }
            // Whichever comes first: the wait, a wake-up, or the end.
            let trigger = trigger
            _ = await cancelWhenGracefulShutdown { await trigger.wait(upTo: wait, on: clock) }
        }
    }

    /// Hands the heap pages a pass freed back to the system. A pass over thousands of
    /// manifests allocates and frees tens of megabytes on several threads; glibc keeps them
    /// in its per-thread arenas, where the daemon's resident memory would stay at its peak.
    static func releaseFreedMemory() {
        _ = mallocTrim?(0)
    }

    /// glibc's `malloc_trim` (not in the Glibc module's headers); nil on other C libraries.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// How long to wait after passes failed on the store: the action backoff, capped by the
    /// interval, so a store that recovers is noticed as soon as a normal pass would be.
    static func wait(afterStoreFailures failures: Int, interval: Duration) -> Duration {
        min(.milliseconds(Int64(Backoff.delay(afterAttempts: failures) * 1000)), interval)
    }

    /// How long to wait before the next pass: not at all when actions remain, until the
    /// earliest retry if it is due before the interval ends, else the interval.
    static func wait(after report: Reconciler.PassReport, interval: Duration, now: Date) -> Duration {
        if !report.remaining.actions.isEmpty { return .zero }
        guard let retry = report.remaining.nextRetry else { return interval }
        let untilRetry = Duration.milliseconds(Int64(max(0, retry.timeIntervalSince(now)) * 1000))
        return min(interval, untilRetry)
    }
}

/// Asks a waiting loop for a pass now. Requests made while a pass runs are remembered
/// (once): the loop starts the next pass right after.
package final class PassTrigger: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    package init() {}

    package func request() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns after `duration` has passed on `clock`, at a request, or when the task is
    /// cancelled.
    /// - Returns: whether a request came (rather than the time running out).
    @discardableResult
    func wait(upTo duration: Duration, on clock: any WallClock = SystemClock()) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await clock.sleep(for: duration)
                return false
            }
            group.addTask {
                await self.nextRequest()
                return !Task.isCancelled
            }
            let requested = await group.next() ?? false
            group.cancelAll()
            return requested
        }
    }

    private func nextRequest() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    if Task.isCancelled { return true }
                    precondition(state.waiter == nil, "one loop waits on a PassTrigger")
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
