package import Foundation
package import SextantWire

/// A term's store: every write goes to `writes` (fenced by the term's epoch), and a write the
/// fence refuses (`LeaseLost`) ends the term at once through `leaseLost`, before the error
/// reaches the reconciler. The reconciler sees a failed write, as on any store error, and
/// its term is cancelled around it.
package struct TermStore: StateStore {
    private let writes: any StateStore
    private let leaseLost: @Sendable (LeaseLost) -> Void

    package init(_ writes: any StateStore, leaseLost: @escaping @Sendable (LeaseLost) -> Void) {
        self.writes = writes
        self.leaseLost = leaseLost
    }

    private func fenced<Value>(_ write: () async throws -> Value) async throws -> Value {
        do {
            return try await write()
        } catch let error as LeaseLost {
            leaseLost(error)
            throw error
        }
    }

    package func restore(at now: Date) async throws -> StoredState { try await fenced { try await writes.restore(at: now) } }

    package func recordFetch(_ revision: SourceRevision, branch: String, at now: Date) async throws {
        try await fenced { try await writes.recordFetch(revision, branch: branch, at: now) }
    }

    package func recordFetchFailure(_ message: String, branch: String, at now: Date) async throws {
        try await fenced { try await writes.recordFetchFailure(message, branch: branch, at: now) }
    }

    @discardableResult
    package func recordCommit(_ revision: SourceRevision, valid: Bool, diagnostics: [String], eventsIfNew: [Event], at now: Date) async throws -> Bool {
        try await fenced { try await writes.recordCommit(revision, valid: valid, diagnostics: diagnostics, eventsIfNew: eventsIfNew, at: now) }
    }

    package func apply(commit: String, objects: [AppliedObject], events: [Event], at now: Date) async throws {
        try await fenced { try await writes.apply(commit: commit, objects: objects, events: events, at: now) }
    }

    package func startAction(_ entry: JournalEntry) async throws -> Int64 { try await fenced { try await writes.startAction(entry) } }

    package func finishAction(_ id: Int64, _ outcome: JournalOutcome, update: ObjectUpdate, events: [Event]) async throws {
        try await fenced { try await writes.finishAction(id, outcome, update: update, events: events) }
    }

    package func record(_ events: [Event]) async throws { try await fenced { try await writes.record(events) } }

    package func saveStatus(_ document: StatusDocument, changed: [ObjectStatus], removed: [ObjectKey]) async throws {
        try await fenced { try await writes.saveStatus(document, changed: changed, removed: removed) }
    }

    package func takeRequests() async throws -> [OperatorRequest] { try await fenced { try await writes.takeRequests() } }

    package func saveGateway(_ gateway: GatewayProcess) async throws { try await fenced { try await writes.saveGateway(gateway) } }

    package func saveRoutes(_ table: RoutingTable) async throws { try await fenced { try await writes.saveRoutes(table) } }

    package func saveResources(_ resources: [RevisionResources]) async throws { try await fenced { try await writes.saveResources(resources) } }
}
