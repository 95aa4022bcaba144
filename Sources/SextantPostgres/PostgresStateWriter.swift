package import Foundation
import Logging
import PostgresNIO
import SextantAPI
package import SextantCore
package import SextantWire
import Synchronization

/// The writes of one term of leadership (`PostgresStore.writer(for:)`): the reconciler's
/// `StateStore`. Every write is one transaction fenced by the term's lease, and throws
/// `LeaseLost` once another replica may lead; the semantics are SQLite's, write for write.
package struct PostgresStateWriter: StateStore {
    package let store: PostgresStore
    package let term: LeaseTerm

    init(store: PostgresStore, term: LeaseTerm) {
        self.store = store
        self.term = term
    }

    @discardableResult
    private func write<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) async throws -> T {
        try await store.write(term, body)
    }

    package func restore(at now: Date) async throws -> StoredState {
        let epoch = term.epoch
        return try await write { connection, logger in
            // Only the lease holder writes, so anything still `started` was interrupted.
            var interrupted: [(id: Int64, action: String, kind: String, name: String, fingerprint: String, attempt: Int64, commit: String?)] = []
            for try await row in try await connection.query("""
                UPDATE actions SET state = 'failed', output = 'interrupted: the process ended before the action did', finished_at = \(now)
                 WHERE state = 'started'
                RETURNING id, action, kind, name, fingerprint, attempt, commit_sha
                """, logger: logger).decode((Int64, String, String, String, String, Int64, String?).self) {
                interrupted.append(row)
            }
            for action in interrupted.sorted(by: { $0.id < $1.id }) {
                guard let manifestKind = ManifestKind(rawValue: action.kind) else { continue }
                let key = ObjectKey(manifestKind, action.name)
                var object = ObservedObject(key: key, updatedAt: now)
                for try await record in try await connection.query("""
                    SELECT record FROM observed_objects WHERE kind = \(action.kind) AND name = \(action.name)
                    """, logger: logger).decode(String.self) {
                    object = try PostgresStore.decode(ObservedObject.self, record)
                }
                let attempts = Int(action.attempt)
                let delay = Backoff.delay(afterAttempts: attempts)
                let message = "interrupted: the process ended during \(action.action)"
                object.failure = ActionFailure(fingerprint: action.fingerprint, attempts: attempts, message: message, nextAttemptAt: now.addingTimeInterval(delay))
                object.updatedAt = now
                try await connection.query("""
                    INSERT INTO observed_objects (kind, name, fingerprint, record, updated_at)
                    VALUES (\(action.kind), \(action.name), \(object.fingerprint), \(try PostgresStore.json(object)), \(now))
                    ON CONFLICT (kind, name) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at
                    """, logger: logger)
                try await Self.insert([Event(time: now, kind: EventKind(manifestKind), name: action.name, reason: .actionInterrupted,
                                             message: "\(message) (attempt \(attempts)); retrying in \(Int(delay)) s", commit: action.commit, actor: "sextant")],
                                      epoch: epoch, connection, logger)
            }
            let status: StatusDocument?
            let headers = try await connection.query("SELECT json FROM status_header WHERE id = 1", logger: logger).collect()
            if let header = headers.first {
                status = try await PostgresStore.status(header: try header.decode(String.self), connection, logger)
            } else {
                status = nil
            }
            return StoredState(appliedCommit: try await PostgresStore.appliedCommit(connection, logger),
                               objects: try await PostgresStore.observedObjects(connection, logger),
                               registries: try await PostgresStore.registries(connection, logger), status: status,
                               gateway: try await PostgresStore.gateway(connection, logger), routes: try await PostgresStore.routes(connection, logger),
                               resources: try await PostgresStore.resources(connection, logger))
        }
    }

    package func recordFetch(_ revision: SourceRevision, branch: String, at now: Date) async throws {
        try await write { connection, logger in
            try await connection.query("""
                INSERT INTO source (id, branch, head, subject, fetched_at, error, error_since)
                VALUES (1, \(branch), \(revision.commit), \(revision.subject), \(now), NULL, NULL)
                ON CONFLICT (id) DO UPDATE SET branch = excluded.branch, head = excluded.head, subject = excluded.subject,
                    fetched_at = excluded.fetched_at, error = NULL, error_since = NULL
                """, logger: logger)
        }
    }

    package func recordFetchFailure(_ message: String, branch: String, at now: Date) async throws {
        try await write { connection, logger in
            try await connection.query("""
                INSERT INTO source (id, branch, error, error_since) VALUES (1, \(branch), \(message), \(now))
                ON CONFLICT (id) DO UPDATE SET error = excluded.error, error_since = coalesce(source.error_since, excluded.error_since)
                """, logger: logger)
        }
    }

    @discardableResult
    package func recordCommit(_ revision: SourceRevision, valid: Bool, diagnostics: [String], eventsIfNew: [Event], at now: Date) async throws -> Bool {
        let epoch = term.epoch
        return try await write { connection, logger in
            let inserted = try await connection.query("""
                INSERT INTO commits (sha, subject, author_time, first_seen_at, valid, diagnostics)
                VALUES (\(revision.commit), \(revision.subject), \(revision.authorTime), \(now), \(valid), \(diagnostics.joined(separator: "\n")))
                ON CONFLICT (sha) DO NOTHING
                RETURNING sha
                """, logger: logger).collect()
            let isNew = !inserted.isEmpty
            if isNew { try await Self.insert(eventsIfNew, epoch: epoch, connection, logger) }
            return isNew
        }
    }

    package func apply(commit: String, objects: [AppliedObject], events: [Event], at now: Date) async throws {
        // The last definition of a key wins, as SQLite's INSERT OR REPLACE has it.
        var latest: [ObjectKey: AppliedObject] = [:]
        var order: [ObjectKey] = []
        for object in objects {
            if latest.updateValue(object, forKey: object.key) == nil { order.append(object.key) }
        }
        let rows = order.compactMap { latest[$0] }
        let kinds = rows.map(\.key.kind.rawValue), names = rows.map(\.key.name), files = rows.map(\.file), lines = rows.map { Int64($0.line) }
        let epoch = term.epoch
        try await write { connection, logger in
            try await connection.query("""
                INSERT INTO applied (id, commit_sha, applied_at) VALUES (1, \(commit), \(now))
                ON CONFLICT (id) DO UPDATE SET commit_sha = excluded.commit_sha, applied_at = excluded.applied_at
                """, logger: logger)
            try await connection.query("DELETE FROM desired_objects", logger: logger)
            if !kinds.isEmpty {
                try await connection.query("""
                    INSERT INTO desired_objects (kind, name, commit_sha, file, line)
                    SELECT k, n, \(commit), f, l FROM unnest(\(kinds)::text[], \(names)::text[], \(files)::text[], \(lines)::bigint[]) AS t(k, n, f, l)
                    """, logger: logger)
            }
            try await Self.insert(events, epoch: epoch, connection, logger)
        }
    }

    package func startAction(_ entry: JournalEntry) async throws -> Int64 {
        let epoch = term.epoch
        return try await write { connection, logger in
            let rows = try await connection.query("""
                INSERT INTO actions (action, kind, name, fingerprint, attempt, commit_sha, input, state, started_at, epoch)
                VALUES (\(entry.action), \(entry.key.kind.rawValue), \(entry.key.name), \(entry.fingerprint), \(Int64(entry.attempt)),
                        \(entry.commit), \(entry.input), 'started', \(entry.startedAt), \(epoch))
                RETURNING id
                """, logger: logger).collect()
            return try rows[0].decode(Int64.self)
        }
    }

    package func finishAction(_ id: Int64, _ outcome: JournalOutcome, update: ObjectUpdate, events: [Event]) async throws {
        let record: String?
        switch update {
        case .upsert(let object), .model(let object, _):
            record = try PostgresStore.json(object)
        case .delete:
            record = nil
        }
        let registryRows: (ModelRegistry, [(Int64, String, String, String, Date)], [(Int64, Int64, String, String)])?
        if case .model(_, let registry) = update {
            registryRows = (registry,
                            try registry.versions.map { (Int64($0.number), $0.fingerprint, $0.commit, try PostgresStore.json($0), $0.createdAt) },
                            try registry.revisions.map { (Int64($0.number), Int64($0.version), $0.servingFingerprint, try PostgresStore.json($0)) })
        } else {
            registryRows = nil
        }
        let epoch = term.epoch
        try await write { connection, logger in
            try await connection.query("""
                UPDATE actions SET state = \(outcome.state.rawValue), output = \(outcome.output), finished_at = \(outcome.finishedAt) WHERE id = \(id)
                """, logger: logger)
            switch update {
            case .upsert(let object), .model(let object, _):
                try await connection.query("""
                    INSERT INTO observed_objects (kind, name, fingerprint, record, updated_at)
                    VALUES (\(object.key.kind.rawValue), \(object.key.name), \(object.fingerprint), \(record), \(object.updatedAt))
                    ON CONFLICT (kind, name) DO UPDATE SET fingerprint = excluded.fingerprint, record = excluded.record, updated_at = excluded.updated_at
                    """, logger: logger)
            case .delete(let key):
                try await connection.query("DELETE FROM observed_objects WHERE kind = \(key.kind.rawValue) AND name = \(key.name)", logger: logger)
            }
            if let (registry, versions, revisions) = registryRows {
                try await connection.query("DELETE FROM model_versions WHERE model = \(registry.model)", logger: logger)
                try await connection.query("DELETE FROM model_revisions WHERE model = \(registry.model)", logger: logger)
                for (number, fingerprint, commit, record, createdAt) in versions {
                    try await connection.query("""
                        INSERT INTO model_versions (model, version, fingerprint, commit_sha, record, created_at)
                        VALUES (\(registry.model), \(number), \(fingerprint), \(commit), \(record), \(createdAt))
                        """, logger: logger)
                }
                for (number, version, servingFingerprint, record) in revisions {
                    try await connection.query("""
                        INSERT INTO model_revisions (model, revision, version, serving_fingerprint, record)
                        VALUES (\(registry.model), \(number), \(version), \(servingFingerprint), \(record))
                        """, logger: logger)
                }
            }
            try await Self.insert(events, epoch: epoch, connection, logger)
        }
    }

    package func record(_ events: [Event]) async throws {
        guard !events.isEmpty else { return }
        let epoch = term.epoch
        try await write { connection, logger in try await Self.insert(events, epoch: epoch, connection, logger) }
    }

    package func saveStatus(_ document: StatusDocument, changed: [ObjectStatus], removed: [ObjectKey]) async throws {
        let header = try PostgresStore.json(PostgresStatusHeader(revision: document.revision, comparisonError: document.comparisonError, gateway: document.gateway))
        // The last of a key wins, as SQLite's statement-per-row upsert has it.
        var latest: [ObjectKey: String] = [:]
        for object in changed { latest[object.key] = try PostgresStore.json(object) }
        let upserted = latest.sorted { $0.key < $1.key }
        let kinds = upserted.map(\.key.kind.rawValue), names = upserted.map(\.key.name), jsons = upserted.map(\.value)
        let removedKinds = removed.map(\.kind.rawValue), removedNames = removed.map(\.name)
        let generation: Int64 = try await write { connection, logger in
            let rows = try await connection.query("""
                INSERT INTO status_header (id, json, generation) VALUES (1, \(header), 1)
                ON CONFLICT (id) DO UPDATE SET json = excluded.json, generation = status_header.generation + 1
                RETURNING generation
                """, logger: logger).collect()
            if !kinds.isEmpty {
                try await connection.query("""
                    INSERT INTO status_objects (kind, name, json)
                    SELECT k, n, j FROM unnest(\(kinds)::text[], \(names)::text[], \(jsons)::text[]) AS t(k, n, j)
                    ON CONFLICT (kind, name) DO UPDATE SET json = excluded.json
                    """, logger: logger)
            }
            if !removedKinds.isEmpty {
                try await connection.query("""
                    DELETE FROM status_objects WHERE (kind, name) IN (SELECT * FROM unnest(\(removedKinds)::text[], \(removedNames)::text[]))
                    """, logger: logger)
            }
            return try rows[0].decode(Int64.self)
        }
        // In the order reading it back gives, as this save's generation: a read decodes
        // nothing until another save.
        var stored = document
        let objects = stored.objects
        if !objects.indices.dropFirst().allSatisfy({ objects[$0 - 1].key < objects[$0].key }) { stored.objects.sort { $0.key < $1.key } }
        store.cachedStatus.withLock { $0 = SavedStatus(generation: UInt64(generation), document: stored) }
    }

    package func takeRequests() async throws -> [OperatorRequest] {
        try await write { connection, logger in
            var rows: [(Int64, String, String, String, Date, Int64?)] = []
            for try await row in try await connection.query("DELETE FROM requests RETURNING id, action, model, actor, time, version", logger: logger)
                .decode((Int64, String, String, String, Date, Int64?).self) {
                rows.append(row)
            }
            // A decision this version does not know (queued by a newer one) is dropped, with the rest taken.
            return rows.sorted { $0.0 < $1.0 }.compactMap { _, action, model, actor, time, version in
                OperatorDecision(rawValue: action).map {
                    OperatorRequest(decision: $0, model: model, actor: actor, time: time, version: version.map(Int.init))
                }
            }
        }
    }

    package func saveGateway(_ gateway: GatewayProcess) async throws {
        let record = try PostgresStore.json(gateway)
        try await write { connection, logger in
            try await connection.query("""
                INSERT INTO gateway (id, record) VALUES (1, \(record)) ON CONFLICT (id) DO UPDATE SET record = excluded.record
                """, logger: logger)
        }
    }

    package func saveRoutes(_ table: RoutingTable) async throws {
        let record = try PostgresStore.json(table)
        let generation = Int64(table.generation)
        try await write { connection, logger in
            try await connection.query("""
                INSERT INTO routes (id, generation, record) VALUES (1, \(generation), \(record))
                ON CONFLICT (id) DO UPDATE SET generation = excluded.generation, record = excluded.record
                """, logger: logger)
        }
    }

    package func saveResources(_ resources: [RevisionResources]) async throws {
        var latest: [RevisionKey: (String, Date)] = [:]
        for revision in resources { latest[revision.key] = (try PostgresStore.json(revision), revision.updatedAt) }
        let rows = latest.sorted { $0.key < $1.key }
        let models = rows.map(\.key.model), revisions = rows.map { Int64($0.key.revision) }, records = rows.map(\.value.0), times = rows.map(\.value.1)
        try await write { connection, logger in
            guard !models.isEmpty else { return }
            try await connection.query("""
                INSERT INTO revision_resources (model, revision, record, updated_at)
                SELECT m, r, c, u FROM unnest(\(models)::text[], \(revisions)::bigint[], \(records)::text[], \(times)::timestamptz[]) AS t(m, r, c, u)
                ON CONFLICT (model, revision) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at
                """, logger: logger)
        }
    }

    /// After `sextant down --store URL`: no model has serving processes any more (the next
    /// pass starts the stable revisions again), and no gateway is recorded; as SQLite's.
    package func forgetReplicas(at now: Date, actor: String) async throws {
        let epoch = term.epoch
        try await write { connection, logger in
            var models: [ObservedObject] = []
            for try await record in try await connection.query("SELECT record FROM observed_objects WHERE kind = 'Model' ORDER BY name", logger: logger)
                .decode(String.self) {
                models.append(try PostgresStore.decode(ObservedObject.self, record))
            }
            var events: [Event] = []
            for object in models {
                guard let (stopped, event) = object.forgettingReplicas(at: now, actor: actor) else { continue }
                events.append(event)
                try await connection.query("""
                    UPDATE observed_objects SET record = \(try PostgresStore.json(stopped)) WHERE kind = 'Model' AND name = \(object.key.name)
                    """, logger: logger)
            }
            try await connection.query("DELETE FROM gateway", logger: logger)
            try await Self.insert(events, epoch: epoch, connection, logger)
        }
    }

    /// Appends events in order: their ids increase in that order, and across writes in
    /// commit order (the fence serialises the leader's writes).
    static func insert(_ events: [Event], epoch: Int64, _ connection: PostgresConnection, _ logger: Logger) async throws {
        for event in events {
            try await connection.query("""
                INSERT INTO events (time, kind, name, reason, message, commit_sha, actor, epoch)
                VALUES (\(event.time), \(event.kind.rawValue), \(event.name), \(event.reason.rawValue), \(event.message), \(event.commit), \(event.actor), \(epoch))
                """, logger: logger)
        }
    }
}
