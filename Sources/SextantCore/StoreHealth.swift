package import Foundation
import Synchronization

/// Whether the state store takes writes, shared by the reconciler (which records every
/// failed write and the recovery), `/readyz`, `/api/v1/status` and `/metrics`.
///
/// An outage begins at the first write that fails and ends when a whole pass has written
/// everything it had to, including what waited in memory meanwhile.
package final class StoreHealth: Sendable {
    /// The store cannot be written.
    package struct Failure: Sendable, Hashable {
        /// What the latest failed write was for, e.g. `saving status`.
        package var operation: String
        /// The store's own words for the latest failure, with what to do about it.
        package var message: String
        /// When writes started failing.
        package var since: Date
        /// Writes that failed since then.
        package var failedWrites: Int
        /// Writes (events, finished actions) kept in memory until the store takes them.
        package var pendingWrites: Int

        /// One line for `/readyz`, logs and status: `store unavailable: saving status failed
        /// since 2026-11-21T10:00:00Z: …`.
        package var summary: String {
            let waiting = pendingWrites == 0 ? "" : "; \(pendingWrites) write\(pendingWrites == 1 ? "" : "s") wait in memory"
            return "store unavailable: \(operation) failed since \(iso8601(since)) (\(failedWrites) failed write\(failedWrites == 1 ? "" : "s")\(waiting)): \(message)"
        }
    }

    private struct State {
        var failure: Failure?
        var failedWrites = 0
        var pendingWrites = 0
    }

    private let state = Mutex(State())

    package init() {}

    /// The current outage, nil while the store takes writes.
    package var failure: Failure? {
        state.withLock { state in
            state.failure.map { failure in
                var failure = failure
                failure.pendingWrites = state.pendingWrites
                return failure
            }
        }
    }

    /// Every write that failed since the process started (a counter for `/metrics`).
    package var failedWrites: Int { state.withLock { $0.failedWrites } }

    /// Writes kept in memory until the store takes them.
    package var pendingWrites: Int { state.withLock { $0.pendingWrites } }

    /// Records a failed write.
    /// - Returns: true when it begins an outage.
    @discardableResult
    package func recordFailure(operation: String, message: String, at now: Date) -> Bool {
        state.withLock { state in
            state.failedWrites += 1
            if var failure = state.failure {
                failure.operation = operation
                failure.message = message
                failure.failedWrites += 1
                state.failure = failure
                return false
            }
            state.failure = Failure(operation: operation, message: message, since: now, failedWrites: 1, pendingWrites: 0)
            return true
        }
    }

    /// Ends the outage, if there is one.
    /// - Returns: the outage that ended.
    @discardableResult
    package func recordRecovery() -> Failure? {
        state.withLock { state in
            defer { state.failure = nil }
            return state.failure
        }
    }

    func setPendingWrites(_ count: Int) {
        state.withLock { $0.pendingWrites = count }
    }
}

/// A write the store refused: what it was for, and the store's error.
package struct StoreWriteError: Error, Sendable, Hashable, CustomStringConvertible {
    package var operation: String
    package var message: String

    package init(operation: String, message: String) {
        self.operation = operation
        self.message = message
    }

    package var description: String { "the store cannot be written: \(operation) failed: \(message)" }
}

extension StatusDocument {
    /// The last saved status, marked as what it is while the store cannot be written: as of
    /// its `reconciledAt`, with `revision.error` and a `StoreUnavailable` condition on every
    /// object saying why nothing newer was saved.
    package func showing(_ failure: StoreHealth.Failure) -> StatusDocument {
        var document = self
        let summary = failure.summary
        document.revision.error = revision.error.map { "\(summary); \($0)" } ?? summary
        let asOf = revision.reconciledAt.map { "status as of \(iso8601($0))" } ?? "status"
        let condition = StatusCondition(type: "StoreUnavailable", status: "True", reason: "StoreWriteFailed",
                                        message: "\(asOf): newer status cannot be saved; \(summary)",
                                        lastTransitionTime: failure.since)
        for index in document.objects.indices {
            document.objects[index].conditions.insert(condition, at: 0)
        }
        return document
    }
}
