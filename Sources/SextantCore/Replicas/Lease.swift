package import Foundation

/// One term of leadership: the replica that holds the lease and the epoch that fences
/// every write it makes (DESIGN §12). Each acquisition is a new term with a higher epoch,
/// even when the same process takes the lease again.
package struct LeaseTerm: Sendable, Hashable {
    /// `HOST/PID/<random>`: unique per process start.
    package var holder: String
    package var epoch: Int64

    package init(holder: String, epoch: Int64) {
        self.holder = holder
        self.epoch = epoch
    }
}

/// The lease row as the database has it: who leads, in which term, until when (the
/// database's clock), and where its API listens (what followers name).
package struct LeaderRecord: Sendable, Hashable, Codable {
    package var holder: String
    package var epoch: Int64
    package var expiresAt: Date
    package var acquiredAt: Date
    /// The leader's `--listen` address, when it serves an API.
    package var api: String?

    package init(holder: String, epoch: Int64, expiresAt: Date, acquiredAt: Date, api: String?) {
        self.holder = holder
        self.epoch = epoch
        self.expiresAt = expiresAt
        self.acquiredAt = acquiredAt
        self.api = api
    }
}

/// The lease of a shared store: at most one replica leads at a time, on the database's
/// clock. Implemented by the PostgreSQL store; a SQLite state directory has no lease (its
/// `flock` makes one daemon the only one).
package protocol LeaderElection: Sendable {
    /// Takes the lease when nobody holds an unexpired one: a new term. Nil when another
    /// replica holds it.
    func acquire(holder: String, api: String?) async throws -> LeaseTerm?
    /// Extends the term's lease; false when it is lost (expired, or taken by another).
    func renew(_ term: LeaseTerm) async throws -> Bool
    /// Ends the term's lease at once (a graceful stop), so a follower need not wait.
    func release(_ term: LeaseTerm) async throws
    /// The lease row, nil before anyone ever led.
    func leader() async throws -> LeaderRecord?
}

/// A write refused because the term that made it no longer holds the lease: the replica
/// must stop acting at once. Not a store outage: nothing is kept to retry.
package struct LeaseLost: Error, Sendable, CustomStringConvertible {
    package var term: LeaseTerm
    /// The epoch that holds the lease now, when known.
    package var current: Int64?

    package init(term: LeaseTerm, current: Int64?) {
        self.term = term
        self.current = current
    }

    package var description: String {
        "the lease of epoch \(term.epoch) (\(term.holder)) is lost"
            + (current.map { "; epoch \($0) leads now" } ?? "; nobody holds it") + ": this replica stops acting"
    }
}
