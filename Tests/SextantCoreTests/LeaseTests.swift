import Foundation
import Logging
import SextantCore
import ServiceLifecycle
import Synchronization
import Testing

@Suite("The leader's lease on its own clock")
struct LeaseStateTests {
    static let start = ContinuousClock.now

    static func at(_ seconds: Double) -> ContinuousClock.Instant { start + .milliseconds(Int64(seconds * 1000)) }

    /// A renewal's result at a time since the acquisition.
    enum Step: Sendable, CustomStringConvertible {
        case renewed(sentAt: Double)
        case failed(sentAt: Double)

        var description: String {
            switch self {
            case .renewed(let at): "renewed@\(at)"
            case .failed(let at): "failed@\(at)"
            }
        }
    }

    @Test("the leader acts until 11 s after the last renewal that worked was sent, renews every 5 s, and retries 1 s after a failure",
          arguments: [
              // steps, deadline (s after the acquisition), next renewal
              ([Step](), 11.0, 5.0),
              ([.renewed(sentAt: 5)], 16, 10),
              ([.renewed(sentAt: 5), .failed(sentAt: 10)], 16, 11),
              ([.renewed(sentAt: 5), .failed(sentAt: 10), .failed(sentAt: 11)], 16, 12),
              ([.failed(sentAt: 5), .failed(sentAt: 6), .renewed(sentAt: 7)], 18, 12),
              // An answer that arrives late, for an older send, never moves the deadline back.
              ([.renewed(sentAt: 10), .renewed(sentAt: 5)], 21, 15),
          ] as [([Step], Double, Double)])
    func deadlines(steps: [Step], deadline: Double, nextRenewal: Double) {
        var state = LeaseState(acquiredAt: Self.start)
        for step in steps {
            switch step {
            case .renewed(let at): state.renewed(sentAt: Self.at(at))
            case .failed(let at): state.failed(sentAt: Self.at(at))
            }
        }
        #expect(state.deadline == Self.at(deadline))
        #expect(state.nextRenewal == Self.at(nextRenewal))
        #expect(state.isActing(at: Self.at(deadline - 0.001)))
        #expect(!state.isActing(at: Self.at(deadline)), "at the deadline the leader no longer acts")
    }

    @Test("two failed renewals end the term at least 4 s before the database can end the lease")
    func marginBeforeExpiry() {
        var state = LeaseState(acquiredAt: Self.start)
        state.renewed(sentAt: Self.at(5))
        state.failed(sentAt: Self.at(10))
        state.failed(sentAt: Self.at(11))
        // The database's expiry is at least the lease after the last good send.
        let earliestExpiry = Self.at(5) + LeaseTiming.standard.lease
        #expect(earliestExpiry - state.deadline == LeaseTiming.standard.margin)
        #expect(LeaseTiming.standard.actingWindow == .seconds(11))
    }
}

/// A lease in memory, with the database's rules: one holder, a new epoch per term, expiry
/// on its clock. Renewals can be made to fail or to say the lease is lost.
final class MemoryLease: LeaderElection {
    struct State {
        var record: LeaderRecord?
        var failRenewals = false
        var loseRenewals = false
        /// Acquisitions that take the lease at once but answer after this long, one per call.
        var lateAnswers: [Duration] = []
    }

    let state = Mutex(State())
    let lease: Duration

    init(lease: Duration) { self.lease = lease }

    func acquire(holder: String, api: String?) async throws -> LeaseTerm? {
        let (term, delay) = state.withLock { state -> (LeaseTerm?, Duration?) in
            let now = Date()
            if let record = state.record, record.expiresAt > now { return (nil, nil) }
            let epoch = (state.record?.epoch ?? 0) + 1
            state.record = LeaderRecord(holder: holder, epoch: epoch, expiresAt: now.addingTimeInterval(lease.seconds), acquiredAt: now, api: api)
            return (LeaseTerm(holder: holder, epoch: epoch), state.lateAnswers.isEmpty ? nil : state.lateAnswers.removeFirst())
        }
        if let delay { try await Task.sleep(for: delay) }
        return term
    }

    func renew(_ term: LeaseTerm) async throws -> Bool {
        try state.withLock { state in
            if state.failRenewals { throw CancellationError() }
            guard !state.loseRenewals, let record = state.record, record.holder == term.holder, record.epoch == term.epoch,
                  record.expiresAt > Date() else { return false }
            state.record?.expiresAt = Date().addingTimeInterval(lease.seconds)
            return true
        }
    }

    func release(_ term: LeaseTerm) async throws {
        state.withLock { state in
            guard state.record?.holder == term.holder, state.record?.epoch == term.epoch else { return }
            state.record?.expiresAt = Date()
        }
    }

    func leader() async throws -> LeaderRecord? { state.withLock { $0.record } }
}

/// A term's stand-in service: records that it ran, and runs until cancelled.
final class TermProbe: Sendable {
    let events = Mutex<[String]>([])
    /// When the term's work was cancelled: the moment the replica stopped acting.
    let cancelledAt = Mutex<Date?>(nil)

    func service(_ name: String) -> some Service {
        ProbeService(name: name, probe: self)
    }

    struct ProbeService: Service {
        var name: String
        var probe: TermProbe

        func run() async throws {
            probe.events.withLock { $0.append("\(name) started") }
            await withTaskCancellationHandler {
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
            } onCancel: {
                probe.cancelledAt.withLock { $0 = $0 ?? Date() }
            }
            probe.events.withLock { $0.append("\(name) stopped") }
        }
    }
}

@Suite("Replicas: one leads, the others follow, and a leader that cannot renew stops first", .serialized)
struct ReplicaServiceTests {
    /// A lease whose margin and timeout outlast a starved task: the whole test suite runs
    /// hundreds of tests on the two threads of a 2-core machine's cooperative pool, where a
    /// task may wait seconds to run, and a renewal answered after its timeout is a failed
    /// one (a CI run starved this suite past 10 s timeouts). Renewals every second, answers
    /// awaited a minute; the leader acts 10 s after a good one, 20 s before the 30 s lease
    /// can end.
    static let timing = LeaseTiming(renewEvery: .seconds(1), lease: .seconds(30), margin: .seconds(20),
                                    renewTimeout: .seconds(60), retryAfterFailure: .milliseconds(300))

    static func leads(_ leadership: Leadership, _ holder: String) -> Bool {
        if case .leader(let term) = leadership.role { return term.holder == holder }
        return false
    }

    /// The terms' epochs in the order they began: they only increase. (That two terms never
    /// overlap is the lease's timing plus the database's fence; a lease in memory has no
    /// fence, and a machine that starves a task for longer than the margin makes a replica
    /// late to stop, so the end-to-end tests check that against PostgreSQL.)
    static func checkEpochsIncrease(_ events: [String]) {
        let epochs = events.compactMap { event -> Int? in
            let parts = event.split(separator: " ")
            return parts.count == 3 && parts[1] == "epoch" ? Int(parts[2]) : nil
        }
        #expect(epochs == epochs.sorted() && Set(epochs).count == epochs.count, "\(events)")
    }

    static func replica(_ name: String, lease: MemoryLease, leadership: Leadership, probe: TermProbe) -> ReplicaService {
        ReplicaService(election: lease, holder: name, api: "127.0.0.1:7070", leadership: leadership, timing: timing,
                       logger: Logger(label: "test")) { term, _ in
            probe.events.withLock { $0.append("\(name) epoch \(term.epoch)") }
            return .init(services: [probe.service(name)]) { probe.events.withLock { $0.append("\(name) ended") } }
        }
    }

    static func waitFor(_ what: String, within seconds: Double = 240, _ condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else { Issue.record("waited \(seconds) s for \(what)"); return }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test("of two replicas exactly one leads; when it stops, the other takes over with a later epoch")
    func oneLeads() async throws {
        let lease = MemoryLease(lease: Self.timing.lease)
        let probe = TermProbe()
        let a = Leadership(), b = Leadership()
        let first = Task { try await Self.replica("a", lease: lease, leadership: a, probe: probe).run() }
        try await Self.waitFor("a to lead") { Self.leads(a, "a") }
        let second = Task { try await Self.replica("b", lease: lease, leadership: b, probe: probe).run() }
        // b has tried while a led (or a's term already ended, on a machine that starved its
        // renewals past the acting window, and b leads).
        try await Self.waitFor("b to see a lead") { b.leader?.holder == "a" || Self.leads(b, "b") }
        first.cancel()
        _ = await first.result
        try await Self.waitFor("b to lead") { Self.leads(b, "b") }
        second.cancel()
        _ = await second.result
        let events = probe.events.withLock { $0 }
        #expect(events.prefix(2) == ["a epoch 1", "a started"])
        #expect(events.contains("b started") && events.last == "b ended", "\(events)")
        Self.checkEpochsIncrease(events)
    }

    @Test("a follower's refusal names the leader, its API and epoch; before anyone leads it says to wait")
    func refusal() {
        let leadership = Leadership()
        leadership.follow(nil)
        #expect(leadership.followerRefusal == "this replica follows and nobody leads yet: try again within the lease (15 s)")
        leadership.follow(LeaderRecord(holder: "a", epoch: 3, expiresAt: Date(), acquiredAt: Date(), api: "127.0.0.1:7070"))
        #expect(leadership.followerRefusal == "this replica follows; the leader is a at 127.0.0.1:7070 (epoch 3): ask it")
        #expect(!leadership.isActing)
        #expect(Leadership().isActing, "a daemon on its own state directory acts")
    }

    @Test("a leader whose renewals fail stops acting before its lease can end")
    func stopsBeforeExpiry() async throws {
        let lease = MemoryLease(lease: Self.timing.lease)
        let probe = TermProbe()
        let a = Leadership()
        let replica = Task { try await Self.replica("a", lease: lease, leadership: a, probe: probe).run() }
        try await Self.waitFor("a to lead") { a.isActing && a.role != .standalone }
        try await Self.waitFor("a to renew") { a.renewals(.renewed) > 0 }
        lease.state.withLock { $0.failRenewals = true }
        try await Self.waitFor("a to stop") { probe.events.withLock { $0.contains("a ended") } }
        let expiry = try #require(lease.state.withLock { $0.record?.expiresAt })
        let stoppedAt = try #require(probe.cancelledAt.withLock { $0 })
        #expect(stoppedAt < expiry, "the term ended while the lease still held: nobody else could lead yet")
        #expect(a.renewals(.failed) >= 2)
        replica.cancel()
        _ = await replica.result
    }

    @Test("a renewal that says the lease is lost ends the term at once")
    func lostLease() async throws {
        let lease = MemoryLease(lease: Self.timing.lease)
        let probe = TermProbe()
        let a = Leadership()
        let replica = Task { try await Self.replica("a", lease: lease, leadership: a, probe: probe).run() }
        try await Self.waitFor("a to lead") { Self.leads(a, "a") }
        lease.state.withLock { $0.loseRenewals = true }
        try await Self.waitFor("a to stop") { probe.events.withLock { $0.contains("a ended") } }
        #expect(a.renewals(.lost) == 1)
        replica.cancel()
        _ = await replica.result
    }

    @Test("a write the fence refused ends the term, and only that term")
    func refusedWrite() async throws {
        let lease = MemoryLease(lease: Self.timing.lease)
        let probe = TermProbe()
        let a = Leadership()
        let replica = Task { try await Self.replica("a", lease: lease, leadership: a, probe: probe).run() }
        try await Self.waitFor("a to lead") { Self.leads(a, "a") }
        guard case .leader(let term) = a.role else { Issue.record("a does not lead"); return }
        a.leaseLost(LeaseTerm(holder: "a", epoch: term.epoch + 100))
        try await Task.sleep(for: .milliseconds(200))
        #expect(!probe.events.withLock { $0.contains("a ended") }, "a refusal naming another term changes nothing")
        a.leaseLost(term)
        try await Self.waitFor("a to stop") { probe.events.withLock { $0.contains("a ended") } }
        // The lease was released: the next term (a new epoch) begins without waiting for expiry.
        try await Self.waitFor("a to lead again") {
            if case .leader(let next) = a.role { return next.epoch > term.epoch }
            return false
        }
        replica.cancel()
        _ = await replica.result
    }

    @Test("an acquisition answered after the timeout took the lease all the same: the replica gives that term back unused and leads with the next at once, not after the lease")
    func lateAnswer() async throws {
        // A lease of an hour: waiting for it to expire would outlast the test's wait.
        let timing = LeaseTiming(renewEvery: .seconds(1), lease: .seconds(3600), margin: .seconds(20), renewTimeout: .milliseconds(200),
                                 retryAfterFailure: .milliseconds(300))
        let lease = MemoryLease(lease: timing.lease)
        lease.state.withLock { $0.lateAnswers = [.seconds(1)] }
        let probe = TermProbe()
        let a = Leadership()
        let replica = Task {
            try await ReplicaService(election: lease, holder: "a", api: nil, leadership: a, timing: timing, logger: Logger(label: "test")) { term, _ in
                probe.events.withLock { $0.append("a epoch \(term.epoch)") }
                return .init(services: [probe.service("a")]) { probe.events.withLock { $0.append("a ended") } }
            }.run()
        }
        try await Self.waitFor("a to lead") { Self.leads(a, "a") }
        guard case .leader(let term) = a.role else { Issue.record("a does not lead"); return }
        #expect(term.epoch >= 2, "epoch 1 was answered too late to act on")
        let events = probe.events.withLock { $0 }
        #expect(!events.contains("a epoch 1"), "\(events)")
        #expect(lease.state.withLock { $0.record?.epoch } == term.epoch)
        replica.cancel()
        _ = await replica.result
    }
}
