import Foundation
package import Logging
package import ServiceLifecycle
import Synchronization

/// One of several `sextant run` replicas on a shared store (DESIGN §12). It follows until
/// it wins the lease, then runs a term — the services `startTerm` builds for it: the
/// reconcile loop, the data-plane watchdog — and keeps renewing. The term ends when a
/// renewal says the lease is lost, when no renewal has worked for the lease's acting window
/// (the leader stops before anyone can take over), when the fence refuses a write, or when
/// the daemon stops; then the replica follows again. The API runs beside it, across terms.
package struct ReplicaService: Service {
    /// What a term runs, and what ends it (releasing the state directory).
    package struct Term: Sendable {
        package var services: [any Service]
        package var end: @Sendable () async -> Void

        package init(services: [any Service], end: @escaping @Sendable () async -> Void) {
            self.services = services
            self.end = end
        }
    }

    private let election: any LeaderElection
    private let holder: String
    private let api: String?
    private let leadership: Leadership
    private let timing: LeaseTiming
    private let prepare: @Sendable () async throws -> Void
    private let startTerm: @Sendable (LeaseTerm, LeaderRecord?) async throws -> Term
    private let logger: Logger

    /// - Parameters:
    ///   - holder: this process, as the lease row names it (`HOST/PID/<random>`).
    ///   - api: the `--listen` address followers name.
    ///   - prepare: runs once before the first try for the lease (the store's migrations),
    ///     again every renewal period until it works.
    ///   - startTerm: builds a term's services, writing through a store fenced by the term;
    ///     it is given the lease row as this replica last saw it before (the previous leader).
    package init(election: any LeaderElection, holder: String, api: String?, leadership: Leadership, timing: LeaseTiming = .standard,
                 logger: Logger, prepare: @escaping @Sendable () async throws -> Void = {},
                 startTerm: @escaping @Sendable (LeaseTerm, LeaderRecord?) async throws -> Term) {
        self.prepare = prepare
        self.election = election
        self.holder = holder
        self.api = api
        self.leadership = leadership
        self.timing = timing
        self.startTerm = startTerm
        self.logger = logger
    }

    package func run() async throws {
        leadership.follow(nil)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await prepare()
                break
            } catch {
                logger.error("the store is not ready", metadata: ["error": "\(error)", "retryInSeconds": "\(Int(timing.renewEvery.seconds))"])
                await pause(timing.renewEvery)
            }
        }
        var announced: LeaderRecord?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let sent = ContinuousClock.now
            let term: LeaseTerm?
            do {
                term = try await Self.answer(within: timing.renewTimeout) { [election, holder, api] in try await election.acquire(holder: holder, api: api) }
            } catch {
                logger.warning("cannot reach the lease", metadata: ["error": "\(error)", "retryInSeconds": "\(Int(timing.renewEvery.seconds))"])
                await pause(timing.renewEvery)
                continue
            }
            guard let term else {
                let record = try? await Self.answer(within: timing.renewTimeout) { [election] in try await election.leader() }
                // This process holds the lease, from an acquisition whose answer came too late:
                // no term of it ever acted, so give it back and try again (a new epoch) at once.
                if let record, record.holder == holder, record.expiresAt > Date() {
                    let unknown = LeaseTerm(holder: holder, epoch: record.epoch)
                    _ = try? await Self.answer(within: timing.renewTimeout) { [election] in try await election.release(unknown) }
                    continue
                }
                leadership.follow(record)
                if let record, record.holder != announced?.holder || record.epoch != announced?.epoch {
                    logger.notice("following", metadata: ["leader": "\(record.holder)", "epoch": "\(record.epoch)", "api": "\(record.api ?? "-")"])
                    announced = record
                }
                await pause(followerWait(record))
                continue
            }
            let failedToStart = await lead(term, acquiredAt: sent)
            // A term that could not start (the state directory still held) is tried again
            // later, not at once: the lease was released for another replica meanwhile.
            if failedToStart { await pause(timing.renewEvery) }
        }
    }

    /// How long a follower waits before trying again: until just after the lease can end,
    /// at most `followerPoll` (a lease given back is taken that soon).
    private func followerWait(_ record: LeaderRecord?) -> Duration {
        guard let record else { return timing.followerPoll }
        let untilExpiry = Duration.milliseconds(Int64(record.expiresAt.timeIntervalSinceNow * 1000) + 50)
        return min(timing.followerPoll, max(.milliseconds(100), untilExpiry))
    }

    /// Runs one term; returns true when it could not start.
    private func lead(_ term: LeaseTerm, acquiredAt: ContinuousClock.Instant) async -> Bool {
        let previous = leadership.leader
        let record = try? await Self.answer(within: timing.renewTimeout) { [election] in try await election.leader() }
        logger.notice("leading", metadata: ["epoch": "\(term.epoch)", "holder": "\(term.holder)"])
        let (refused, refusal) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        leadership.lead(term, record: record) { refusal.yield() }
        // The term's work runs in a task of its own, so that work stuck on a database that
        // does not answer cannot keep this replica from stepping down (it is fenced anyway).
        let (finished, finishing) = AsyncStream<TermOutcome>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let started = StartedTerm()
        let work = Task { [startTerm, logger] in
            let built: Term
            do {
                built = try await startTerm(term, previous)
            } catch {
                logger.error("the term could not start", metadata: ["epoch": "\(term.epoch)", "error": "\(error)"])
                finishing.yield(.failedToStart)
                return
            }
            started.term.withLock { $0 = built }
            await withTaskGroup(of: Void.self) { services in
                for service in built.services {
                    services.addTask {
                        do { try await service.run() } catch { logger.error("a service of the term failed", metadata: ["error": "\(error)"]) }
                    }
                }
                // One ends, all end: a term is whole or not at all.
                await services.next()
                services.cancelAll()
            }
            finishing.yield(.stopped)
        }
        let outcome: TermOutcome = await withTaskGroup(of: TermOutcome.self) { group in
            group.addTask { await keepLease(term, acquiredAt: acquiredAt) }
            group.addTask {
                for await _ in refused { return .refused }
                return .stopped
            }
            group.addTask {
                for await outcome in finished { return outcome }
                return .stopped
            }
            let first = await group.next() ?? .stopped
            group.cancelAll()
            return first
        }
        // From here on this replica no longer acts: metrics, /readyz and the API say so at once.
        leadership.follow(nil)
        refusal.finish()
        work.cancel()
        // Jobs stop (trainers get SIGTERM, then SIGKILL after 5 s); a pass stuck on the
        // database is left behind after the lease's length: it can write nothing.
        if (try? await Self.answer(within: timing.lease, { await work.value })) == nil {
            logger.warning("the term's work did not stop in time; its writes are refused", metadata: ["epoch": "\(term.epoch)"])
        }
        await started.term.withLock { $0 }?.end()
        // The lease is released after the term's work stopped; a lease that is already lost
        // is not touched (the statement matches this holder and epoch only).
        _ = try? await Self.answer(within: timing.renewTimeout) { [election] in try await election.release(term) }
        switch outcome {
        case .expiring:
            logger.error("stopped leading: no renewal worked in time, so this replica stops before its lease can end",
                         metadata: ["epoch": "\(term.epoch)", "actingWindowSeconds": "\(Int(timing.actingWindow.seconds))"])
        case .lost:
            logger.error("stopped leading: the lease is lost (it expired, or another replica took it)", metadata: ["epoch": "\(term.epoch)"])
        case .refused:
            logger.error("stopped leading: the store refused a write of this term (the lease is lost)", metadata: ["epoch": "\(term.epoch)"])
        case .stopped, .failedToStart:
            logger.notice("stopped leading", metadata: ["epoch": "\(term.epoch)"])
        }
        return outcome == .failedToStart
    }

    /// The term's services once built, so their end runs however the term ended.
    private final class StartedTerm: Sendable {
        let term = Mutex<Term?>(nil)
    }

    private enum TermOutcome: Sendable {
        case expiring, lost, refused, stopped, failedToStart
    }

    /// Renews the term's lease until it ends: returns why.
    private func keepLease(_ term: LeaseTerm, acquiredAt: ContinuousClock.Instant) async -> TermOutcome {
        let clock = ContinuousClock()
        var state = LeaseState(acquiredAt: acquiredAt, timing: timing)
        while true {
            do {
                try await clock.sleep(until: min(state.nextRenewal, state.deadline))
            } catch {
                return .stopped
            }
            guard state.isActing(at: clock.now) else { return .expiring }
            guard clock.now >= state.nextRenewal else { continue }
            let sent = clock.now
            do {
                let renewed = try await Self.answer(within: timing.renewTimeout) { [election] in try await election.renew(term) }
                guard renewed else {
                    leadership.counted(.lost)
                    return .lost
                }
                state.renewed(sentAt: sent)
                leadership.counted(.renewed)
            } catch {
                state.failed(sentAt: sent)
                leadership.counted(.failed)
                logger.warning("lease renewal failed", metadata: [
                    "epoch": "\(term.epoch)", "error": "\(error)", "failures": "\(state.failures)",
                    "stopsInSeconds": "\(max(0, (state.deadline - clock.now).seconds))",
                ])
            }
        }
    }

    /// Sleeps unless the daemon stops first.
    private func pause(_ duration: Duration) async {
        _ = await cancelWhenGracefulShutdown { try? await Task.sleep(for: duration) }
    }

    /// The answer of `operation`, or `NoAnswer` after `timeout`. The operation runs in a task
    /// of its own, so a connection that hangs cannot hold the caller past the timeout.
    static func answer<Value: Sendable>(within timeout: Duration, _ operation: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let result: Result<Value, any Error> = await withCheckedContinuation { continuation in
            let pending = Mutex<CheckedContinuation<Result<Value, any Error>, Never>?>(continuation)
            let resume = { @Sendable (result: Result<Value, any Error>) in
                pending.withLock { waiting in
                    waiting?.resume(returning: result)
                    waiting = nil
                }
            }
            let work = Task {
                do { resume(.success(try await operation())) } catch { resume(.failure(error)) }
            }
            let timer = Task {
                try await Task.sleep(for: timeout)
                resume(.failure(NoAnswer(timeout: timeout)))
                work.cancel()
            }
            Task {
                _ = await work.result
                timer.cancel()
            }
        }
        return try result.get()
    }

    /// The lease did not answer in time.
    struct NoAnswer: Error, CustomStringConvertible {
        var timeout: Duration
        var description: String { "no answer within \(timeout)" }
    }
}
