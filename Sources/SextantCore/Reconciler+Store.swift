import SextantWire
import Foundation
import Logging

/// A write that records what already happened (an action's outcome, an event, the gateway
/// started): it cannot be redone, so it waits in memory, in order, until the store takes it.
enum PendingWrite: Sendable {
    case events([Event])
    case finishAction(id: Int64, outcome: JournalOutcome, update: ObjectUpdate, events: [Event], action: String)
    case gateway(GatewayProcess)
    case routes(RoutingTable)

    /// What the write is for, as `/readyz` names it.
    var operation: String {
        switch self {
        case .events(let events): "recording \(events.map(\.reason.rawValue).joined(separator: ", ")) event\(events.count == 1 ? "" : "s")"
        case .finishAction(_, _, let update, _, let action): "recording the end of \(action) of \(update.key)"
        case .gateway: "recording the gateway process"
        case .routes(let table): "storing routing table generation \(table.generation)"
        }
    }

    var events: [Event] {
        switch self {
        case .events(let events), .finishAction(_, _, _, let events, _): events
        case .gateway, .routes: []
        }
    }
}

extension ObjectUpdate {
    var key: ObjectKey {
        switch self {
        case .upsert(let object), .model(let object, _): object.key
        case .delete(let key): key
        }
    }
}

/// The reconciler's side of store failures.
///
/// Two kinds of writes: those that record what already happened go through the outbox
/// (`persist`): the reconciler's own view moves on at once, and the write waits, in order,
/// until the store takes it, so a finished action is never redone and no event is lost.
/// The others (a journal entry before an action starts, status, a commit applied) are
/// decisions made again by the next pass: they are written directly (`write`), after
/// everything waiting, and a failure ends the pass. Every failed write is recorded in
/// `storeHealth`; the first of an outage queues a `StoreUnavailable` event, and the first
/// pass that writes everything queues `StoreRecovered`.
extension Reconciler {
    /// Writes what waits in the outbox, then `body`; a failure becomes a `StoreWriteError`
    /// naming `operation`.
    @discardableResult
    func write<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        try await flushOutbox()
        do {
            return try await body()
        } catch {
            throw storeFailed(operation, error)
        }
    }

    /// Queues writes of what already happened and writes everything queued. A throw means
    /// the writes are still queued: the next write tries them first.
    func persist(_ writes: [PendingWrite]) async throws {
        outbox += writes
        storeHealth.setPendingWrites(outbox.count)
        try await flushOutbox()
    }

    func persist(_ write: PendingWrite) async throws {
        try await persist([write])
    }

    /// Writes the outbox in order. Callers that arrive while a flush runs wait for it (it
    /// writes what they queued too), so nothing overtakes a queued write.
    func flushOutbox() async throws {
        guard !outbox.isEmpty || flushing != nil else { return }
        let task: Task<Void, any Error>
        if let flushing {
            task = flushing
        } else {
            task = Task {
                // Cleared inside the task, so a caller woken by its end never sees it again.
                defer { self.flushing = nil }
                try await self.writeOutbox()
            }
            flushing = task
        }
        try await task.value
    }

    private func writeOutbox() async throws {
        while let next = outbox.first {
            do {
                try await perform(next)
            } catch {
                throw storeFailed(next.operation, error)
            }
            outbox.removeFirst()
            storeHealth.setPendingWrites(outbox.count)
        }
    }

    private func perform(_ write: PendingWrite) async throws {
        switch write {
        case .events(let events): try await store.record(events)
        case .finishAction(let id, let outcome, let update, let events, _): try await store.finishAction(id, outcome, update: update, events: events)
        case .gateway(let gateway): try await store.saveGateway(gateway)
        case .routes(let table): try await store.saveRoutes(table)
        }
    }

    /// Records a failed write; the first of an outage queues `StoreUnavailable` (written
    /// after what was queued before it, when the store takes writes again).
    private func storeFailed(_ operation: String, _ error: any Error) -> StoreWriteError {
        let failure = StoreWriteError(operation: operation, message: "\(error)")
        let now = clock.now()
        if storeHealth.recordFailure(operation: operation, message: failure.message, at: now) {
            outbox.append(.events([Event(time: now, kind: .store, name: "store", reason: .storeUnavailable,
                                         message: "\(operation) failed: \(failure.message); events wait in memory until the store takes writes again",
                                         commit: desired?.commit, actor: options.actor)]))
            storeHealth.setPendingWrites(outbox.count)
        }
        logger.error("store write failed", metadata: [
            "operation": "\(operation)", "error": "\(failure.message)", "pendingWrites": "\(outbox.count)",
        ])
        return failure
    }

    /// After a pass that wrote everything: ends the outage, if there was one, with an event.
    func storeWorked(at now: Date) async throws {
        guard let ended = storeHealth.recordRecovery() else { return }
        logger.notice("store takes writes again", metadata: ["since": "\(iso8601(ended.since))", "failedWrites": "\(ended.failedWrites)"])
        try await persist(.events([Event(time: now, kind: .store, name: "store", reason: .storeRecovered,
                                        message: "the store takes writes again after failing since \(iso8601(ended.since)) (\(ended.failedWrites) failed write\(ended.failedWrites == 1 ? "" : "s"))",
                                        commit: desired?.commit, actor: options.actor)]))
    }

    /// Before the process exits: one more try at what waits in memory; what still cannot be
    /// written is logged, event by event, so the log keeps it.
    package func flushBeforeExit() async {
        guard !outbox.isEmpty else { return }
        do {
            try await flushOutbox()
        } catch {
            for event in outbox.flatMap(\.events) {
                logger.error("event not recorded: the store cannot be written", metadata: [
                    "time": "\(iso8601(event.time))", "kind": "\(event.kind)", "name": "\(event.name)", "reason": "\(event.reason)",
                    "message": "\(event.message)",
                ])
            }
            logger.error("writes lost at exit", metadata: ["count": "\(outbox.count)", "error": "\(error)"])
        }
    }
}
