import Synchronization

/// Which part this replica plays, shared by the replica service (which changes it) and the
/// API, the metrics and status (which read it). A daemon on a SQLite state directory is
/// `standalone`: it always acts, and there is no lease to show.
package final class Leadership: Sendable {
    package enum Role: Sendable, Hashable {
        /// No lease: the only daemon of its state directory.
        case standalone
        /// Waiting for the lease.
        case follower
        /// Holds the lease in this term.
        case leader(LeaseTerm)
    }

    /// How renewals ended, for `sextant_lease_renewals_total{result}`.
    package enum RenewalResult: String, Sendable, CaseIterable {
        case renewed, failed, lost
    }

    private struct State {
        var role: Role
        /// The lease row as last read or written.
        var record: LeaderRecord?
        var renewals: [RenewalResult: Int] = [:]
        /// Set while a term runs: ends it (a write refused by the fence).
        var endTerm: (@Sendable () -> Void)?
    }

    private let state: Mutex<State>

    package init(_ role: Role = .standalone) {
        state = Mutex(State(role: role))
    }

    package var role: Role { state.withLock { $0.role } }

    /// True unless this replica follows: the standalone daemon and the leader act.
    package var isActing: Bool { role != .follower }

    /// The lease row as this replica last knew it (nil standalone, or before anyone led).
    package var leader: LeaderRecord? { state.withLock { $0.record } }

    /// How many renewals ended each way.
    package func renewals(_ result: RenewalResult) -> Int { state.withLock { $0.renewals[result] ?? 0 } }

    /// This replica follows; `leader` is the lease row as read.
    package func follow(_ leader: LeaderRecord?) {
        state.withLock {
            $0.role = .follower
            $0.record = leader
            $0.endTerm = nil
        }
    }

    /// This replica leads in `term`; `endTerm` ends the term early (see `leaseLost`).
    package func lead(_ term: LeaseTerm, record: LeaderRecord?, endTerm: @escaping @Sendable () -> Void) {
        state.withLock {
            $0.role = .leader(term)
            $0.record = record
            $0.endTerm = endTerm
        }
    }

    /// Counts a renewal's result; `record` is the lease row it returned.
    package func counted(_ result: RenewalResult, record: LeaderRecord? = nil) {
        state.withLock {
            $0.renewals[result, default: 0] += 1
            if let record { $0.record = record }
        }
    }

    /// A write of `term` was refused by the fence: the term ends now, whatever renewals
    /// said (another replica may already lead).
    package func leaseLost(_ term: LeaseTerm) {
        let end = state.withLock { state -> (@Sendable () -> Void)? in
            guard state.role == .leader(term) else { return nil }
            return state.endTerm
        }
        end?()
    }

    /// What a follower answers to a call only the leader takes.
    package var followerRefusal: String {
        guard let leader else { return "this replica follows and nobody leads yet: try again within the lease (15 s)" }
        return "this replica follows; the leader is \(leader.holder)" + (leader.api.map { " at \($0)" } ?? "") + " (epoch \(leader.epoch)): ask it"
    }
}
