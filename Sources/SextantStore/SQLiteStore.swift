package import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import GRDB
import Synchronization
package import SextantCore
import SextantAPI
package import SextantWire

/// The state store: one SQLite database (`state.sqlite`, WAL mode) in the state directory.
///
/// Every write that ends an action also writes its events and the object's new state in
/// the same transaction, with `synchronous = FULL`: a crash loses neither an action's
/// outcome nor the audit log. A write that fails (disk full, read-only) throws a
/// `StoreError` naming the file and what to do.
package final class SQLiteStore: StateStore, StateReader, OperatorQueue {
    package let path: String
    /// The state directory that holds the database.
    package let directory: String
    let database: DatabasePool
    /// The status this process last saved, as saved: reading it back would decode every
    /// object's row (10,000 for a large repository) at every status request. Nothing else
    /// writes status while this process holds the state directory's lock.
    private let lastSaved = Mutex<SavedStatus?>(nil)
    /// The `desiredObjects` rows this process last wrote, by key: the next apply writes only
    /// the rows that differ (one object edited in 10,000). Nil until the first apply and
    /// after a failed one: then every row is written again.
    private let lastApplied = Mutex<[ObjectKey: AppliedObject]?>(nil)

    /// Opens (creating and migrating) the store of a state directory. The caller holds the
    /// directory's lock.
    package init(directory: String) throws(StoreError) {
        self.directory = directory
        path = directory + "/state.sqlite"
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        // Private to the daemon (DESIGN §6), whatever the umask, from the first byte; SQLite
        // gives its -wal and -shm files the database's mode.
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if descriptor >= 0 { close(descriptor) }
        for file in [path, path + "-wal", path + "-shm"] { _ = chmod(file, 0o600) }
        do {
            database = try DatabasePool(path: path, configuration: configuration)
        } catch let error as DatabaseError {
            throw StoreError("cannot open the store: " + Self.describe(error, path: path, directory: directory))
        } catch {
            throw StoreError("cannot open \(path): \(error)")
        }
        do {
            try database.read { db in
                if try Schema.migrator.hasBeenSuperseded(db) {
                    throw StoreError("\(path) was written by a newer Sextant (schema \(try Schema.migrator.appliedIdentifiers(db).sorted().last ?? "?")); upgrade this one")
                }
            }
            try Schema.migrator.migrate(database)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError("cannot migrate the store: " + Self.describe(error, path: path, directory: directory))
        } catch {
            throw StoreError("cannot migrate \(path): \(error)")
        }
    }

    /// The file a replica on PostgreSQL writes in its state directory, naming the database
    /// (without a password) and its API: readers of the directory point there.
    package static let sharedStoreNote = "store.txt"

    /// Opens an existing store for reading only (`status`, `history`): no lock needed.
    package init(readingFrom directory: String) throws(StoreError) {
        self.directory = directory
        path = directory + "/state.sqlite"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StoreError("--state-dir \(directory): no such state directory; pass the one `sextant reconcile --once` or `sextant run` uses")
        }
        if let shared = try? String(contentsOfFile: directory + "/" + Self.sharedStoreNote, encoding: .utf8) {
            throw StoreError("the state of \(directory) is kept in PostgreSQL by `sextant run --store` (\(shared.trimmingCharacters(in: .whitespacesAndNewlines))): "
                + "ask a replica's API with --server http://HOST:PORT")
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError("no state in \(directory): run `sextant reconcile --once` or `sextant run` with --state-dir \(directory) first")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        do {
            database = try DatabasePool(path: path, configuration: configuration)
            try database.read { db in
                if try Schema.migrator.hasBeenSuperseded(db) {
                    throw StoreError("\(path) was written by a newer Sextant; upgrade this one")
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError("cannot read \(path): \(error)")
        }
    }

    // MARK: - StateStore

    /// One write transaction; SQLite's failures become one line naming the file and what
    /// to do (free space, make it writable).
    ///
    /// Not cancelled with the task that asks: what a write records already happened (a job
    /// cancelled by SIGINT, the events a stopping daemon still holds), so it is written on a
    /// thread of its own even while that task is being cancelled.
    private func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let database = database
        let result: Result<T, any Error> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Result { try database.write(updates) }) }
        }
        do {
            return try result.get()
        } catch let error as DatabaseError {
            throw StoreError(Self.describe(error, path: path, directory: directory))
        }
    }

    /// `/st/state.sqlite: database or disk is full (SQLite error 13); free space on the
    /// file system that holds /st, or give --state-dir a place with room`. SQLite reports
    /// some failures of a full or read-only file system as I/O errors: the file system is
    /// asked too.
    static func describe(_ error: DatabaseError, path: String, directory: String) -> String {
        let said = "\(error.message ?? "SQLite error") (SQLite error \(error.resultCode.rawValue))"
        let freeSpace = "free space on the file system that holds \(directory), or give --state-dir a place with room"
        let makeWritable = "make \(directory) and its files writable by the daemon's user (a read-only mount, an immutable file, an owner changed?)"
        let advice: String
        switch (error.resultCode, fileSystem(of: directory)) {
        case (.SQLITE_FULL, _):
            advice = freeSpace
        case (_, .full(let problem)):
            advice = "\(problem): free space there, or give --state-dir a place with room"
        case (_, .readOnly(let problem)):
            advice = "\(problem): " + makeWritable
        case (.SQLITE_READONLY, _), (.SQLITE_PERM, _), (.SQLITE_CANTOPEN, _):
            advice = makeWritable
        case (.SQLITE_IOERR, _):
            advice = "check the device that holds \(directory) (df -h, dmesg)"
        default:
            advice = "check \(directory)"
        }
        return "\(path): \(said); \(advice)"
    }

    package func restore(at now: Date) async throws -> StoredState {
        try await write { db in
            // Only the lock holder writes, so anything still `started` was interrupted.
            let interrupted = try Row.fetchAll(db, sql: "SELECT * FROM actions WHERE state = 'started' ORDER BY id")
            try db.execute(sql: """
                UPDATE actions SET state = 'failed', output = 'interrupted: the process ended before the action did', finishedAt = ?
                WHERE state = 'started'
                """, arguments: [now])
            for row in interrupted {
                try Self.backOff(after: row, db, now: now)
            }
            let applied = try String.fetchOne(db, sql: "SELECT \"commit\" FROM applied WHERE id = 1")
            var objects: [ObjectKey: ObservedObject] = [:]
            for record in try String.fetchAll(db, sql: "SELECT record FROM observedObjects") {
                let object = try Self.decoder.decode(ObservedObject.self, from: Data(record.utf8))
                objects[object.key] = object
            }
            return StoredState(appliedCommit: applied, objects: objects, registries: try Self.registries(db), status: try Self.status(db),
                               gateway: try Self.gateway(db), routes: try Self.routes(db), resources: try Self.resources(db))
        }
    }

    package func saveGateway(_ gateway: GatewayProcess) async throws {
        try await write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO gateway (id, record) VALUES (1, ?)",
                           arguments: [String(decoding: try Self.encoder.encode(gateway), as: UTF8.self)])
        }
    }

    package func saveRoutes(_ table: RoutingTable) async throws {
        try await write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO routes (id, generation, record) VALUES (1, ?, ?)",
                           arguments: [table.generation, String(decoding: try Self.encoder.encode(table), as: UTF8.self)])
        }
    }

    package func saveResources(_ resources: [RevisionResources]) async throws {
        let rows = try resources.map { ($0.key, String(decoding: try Self.encoder.encode($0), as: UTF8.self), $0.updatedAt) }
        try await write { db in
            let upsert = try db.makeStatement(sql: """
                INSERT INTO revisionResources (model, revision, record, updatedAt) VALUES (?, ?, ?, ?)
                ON CONFLICT(model, revision) DO UPDATE SET record = excluded.record, updatedAt = excluded.updatedAt
                """)
            for (key, record, updatedAt) in rows { try upsert.execute(arguments: [key.model, key.revision, record, updatedAt]) }
        }
    }

    /// Every revision's resource use so far (`history`).
    package func resources() throws -> [RevisionKey: RevisionResources] {
        try database.read { db in try Self.resources(db) }
    }

    private static func resources(_ db: Database) throws -> [RevisionKey: RevisionResources] {
        var resources: [RevisionKey: RevisionResources] = [:]
        // A store an older Sextant wrote, read without migrating it (`history`), has none.
        guard try db.tableExists("revisionResources") else { return resources }
        for record in try String.fetchAll(db, sql: "SELECT record FROM revisionResources") {
            let revision = try decoder.decode(RevisionResources.self, from: Data(record.utf8))
            resources[revision.key] = revision
        }
        return resources
    }

    /// The stored routing table (what the gateway loads at start).
    package func routes() throws -> RoutingTable? {
        try database.read { db in try Self.routes(db) }
    }

    /// The recorded gateway process.
    package func gateway() throws -> GatewayProcess? {
        try database.read { db in try Self.gateway(db) }
    }

    private static func gateway(_ db: Database) throws -> GatewayProcess? {
        try String.fetchOne(db, sql: "SELECT record FROM gateway WHERE id = 1").map { try decoder.decode(GatewayProcess.self, from: Data($0.utf8)) }
    }

    private static func routes(_ db: Database) throws -> RoutingTable? {
        try String.fetchOne(db, sql: "SELECT record FROM routes WHERE id = 1").map { try decoder.decode(RoutingTable.self, from: Data($0.utf8)) }
    }

    package func recordFetch(_ revision: SourceRevision, branch: String, at now: Date) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO source (id, branch, head, subject, fetchedAt, error, errorSince) VALUES (1, ?, ?, ?, ?, NULL, NULL)
                ON CONFLICT(id) DO UPDATE SET branch = excluded.branch, head = excluded.head, subject = excluded.subject,
                    fetchedAt = excluded.fetchedAt, error = NULL, errorSince = NULL
                """, arguments: [branch, revision.commit, revision.subject, now])
        }
    }

    package func recordFetchFailure(_ message: String, branch: String, at now: Date) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO source (id, branch, error, errorSince) VALUES (1, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET error = excluded.error, errorSince = coalesce(source.errorSince, excluded.errorSince)
                """, arguments: [branch, message, now])
        }
    }

    package func recordCommit(_ revision: SourceRevision, valid: Bool, diagnostics: [String], eventsIfNew: [Event], at now: Date) async throws -> Bool {
        try await write { db in
            try db.execute(sql: """
                INSERT OR IGNORE INTO commits (sha, subject, authorTime, firstSeenAt, valid, diagnostics) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [revision.commit, revision.subject, revision.authorTime, now, valid, diagnostics.joined(separator: "\n")])
            let isNew = db.changesCount > 0
            if isNew { try Self.insert(eventsIfNew, db) }
            return isNew
        }
    }

    package func apply(commit: String, objects: [AppliedObject], events: [Event], at now: Date) async throws {
        let current = Dictionary(objects.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        do {
            try await write { db in
                try db.execute(sql: """
                    INSERT INTO applied (id, "commit", appliedAt) VALUES (1, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET "commit" = excluded."commit", appliedAt = excluded.appliedAt
                    """, arguments: [commit, now])
                // Taken for the transaction: a write that fails leaves nil (a full write next).
                let previous = self.lastApplied.withLock { $0.take() }
                try Self.writeDesiredObjects(objects, keyed: current, commit: commit, replacing: previous, db)
                try Self.insert(events, db)
                self.lastApplied.withLock { $0 = current }
            }
        } catch {
            lastApplied.withLock { $0 = nil }
            throw error
        }
    }

    /// Makes `desiredObjects` hold `objects` at `commit`: all rows again without `previous`
    /// (what the table held), else only the removed and changed ones, and the commit of the
    /// rest in one statement.
    private static func writeDesiredObjects(_ objects: [AppliedObject], keyed: [ObjectKey: AppliedObject], commit: String,
                                            replacing previous: [ObjectKey: AppliedObject]?, _ db: Database) throws {
        let changed: [AppliedObject]
        if let previous {
            let delete = try db.makeStatement(sql: "DELETE FROM desiredObjects WHERE kind = ? AND name = ?")
            for key in previous.keys where keyed[key] == nil {
                try delete.execute(arguments: [key.kind.rawValue, key.name])
            }
            changed = objects.filter { previous[$0.key] != $0 }
            try db.execute(sql: "UPDATE desiredObjects SET \"commit\" = ? WHERE \"commit\" != ?", arguments: [commit, commit])
        } else {
            try db.execute(sql: "DELETE FROM desiredObjects")
            changed = objects
        }
        let insert = try db.makeStatement(sql: "INSERT OR REPLACE INTO desiredObjects (kind, name, \"commit\", file, line) VALUES (?, ?, ?, ?, ?)")
        for object in changed {
            try insert.execute(arguments: [object.key.kind.rawValue, object.key.name, commit, object.file, object.line])
        }
    }

    package func startAction(_ entry: JournalEntry) async throws -> Int64 {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO actions (action, kind, name, fingerprint, attempt, "commit", input, state, startedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'started', ?)
                """, arguments: [entry.action, entry.key.kind.rawValue, entry.key.name, entry.fingerprint, entry.attempt,
                                 entry.commit, entry.input, entry.startedAt])
            return db.lastInsertedRowID
        }
    }

    package func finishAction(_ id: Int64, _ outcome: JournalOutcome, update: ObjectUpdate, events: [Event]) async throws {
        let record: String?
        switch update {
        case .upsert(let object), .model(let object, _):
            record = String(decoding: try Self.encoder.encode(object), as: UTF8.self)
        case .delete:
            record = nil
        }
        try await write { db in
            try db.execute(sql: "UPDATE actions SET state = ?, output = ?, finishedAt = ? WHERE id = ?",
                           arguments: [outcome.state.rawValue, outcome.output, outcome.finishedAt, id])
            switch update {
            case .upsert(let object), .model(let object, _):
                try db.execute(sql: """
                    INSERT INTO observedObjects (kind, name, fingerprint, record, updatedAt) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(kind, name) DO UPDATE SET fingerprint = excluded.fingerprint, record = excluded.record, updatedAt = excluded.updatedAt
                    """, arguments: [object.key.kind.rawValue, object.key.name, object.fingerprint, record, object.updatedAt])
                if case .model(_, let registry) = update { try Self.write(registry, db) }
            case .delete(let key):
                try db.execute(sql: "DELETE FROM observedObjects WHERE kind = ? AND name = ?", arguments: [key.kind.rawValue, key.name])
            }
            try Self.insert(events, db)
        }
    }

    package func record(_ events: [Event]) async throws {
        guard !events.isEmpty else { return }
        try await write { db in try Self.insert(events, db) }
    }

    package func saveStatus(_ document: StatusDocument, changed: [ObjectStatus], removed: [ObjectKey]) async throws {
        let header = String(decoding: try Self.encoder.encode(StatusHeader(revision: document.revision, comparisonError: document.comparisonError,
                                                                            gateway: document.gateway)), as: UTF8.self)
        let rows = try changed.map { ($0.key, String(decoding: try Self.encoder.encode($0), as: UTF8.self)) }
        try await write { db in
            try db.execute(sql: """
                INSERT INTO statusHeader (id, json) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json
                """, arguments: [header])
            let upsert = try db.makeStatement(sql: """
                INSERT INTO statusObjects (kind, name, json) VALUES (?, ?, ?)
                ON CONFLICT(kind, name) DO UPDATE SET json = excluded.json
                """)
            for (key, json) in rows { try upsert.execute(arguments: [key.kind.rawValue, key.name, json]) }
            let delete = try db.makeStatement(sql: "DELETE FROM statusObjects WHERE kind = ? AND name = ?")
            for key in removed { try delete.execute(arguments: [key.kind.rawValue, key.name]) }
        }
        // In the order reading it back gives. The reconciler saves it sorted: then the
        // objects stay shared with the caller's document (sorting would copy 10,000 objects).
        var stored = document
        let objects = stored.objects
        if !objects.indices.dropFirst().allSatisfy({ objects[$0 - 1].key < objects[$0].key }) { stored.objects.sort { $0.key < $1.key } }
        lastSaved.withLock { saved in saved = SavedStatus(generation: (saved?.generation ?? 0) + 1, document: stored) }
    }

    // MARK: - Reading

    package func takeRequests() async throws -> [OperatorRequest] {
        try await write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM requests ORDER BY id")
            try db.execute(sql: "DELETE FROM requests")
            // A decision this version does not know (queued by a newer one) is dropped, with the rest taken.
            return rows.compactMap { row in
                OperatorDecision(rawValue: row["action"]).map {
                    OperatorRequest(decision: $0, model: row["model"], actor: row["actor"], time: row["time"], version: row["version"])
                }
            }
        }
    }

    /// Queues a person's decision for the reconciler (it may be running: SQLite serialises
    /// the writers).
    package func queue(_ request: OperatorRequest) throws {
        do {
            try database.write { db in
                try db.execute(sql: "INSERT INTO requests (action, model, actor, time, version) VALUES (?, ?, ?, ?, ?)",
                               arguments: [request.decision.rawValue, request.model, request.actor, request.time, request.version])
            }
        } catch let error as DatabaseError {
            throw StoreError(Self.describe(error, path: path, directory: directory))
        }
    }

    /// After `sextant down`: no model has serving processes any more (the next pass
    /// starts the stable revisions again).
    package func forgetReplicas(at now: Date, actor: String) async throws {
        try await write { db in
            var events: [Event] = []
            for record in try String.fetchAll(db, sql: "SELECT record FROM observedObjects WHERE kind = 'Model'") {
                let object = try Self.decoder.decode(ObservedObject.self, from: Data(record.utf8))
                guard let (stopped, event) = object.forgettingReplicas(at: now, actor: actor) else { continue }
                events.append(event)
                try db.execute(sql: "UPDATE observedObjects SET record = ? WHERE kind = 'Model' AND name = ?",
                               arguments: [String(decoding: try Self.encoder.encode(stopped), as: UTF8.self), object.key.name])
            }
            try db.execute(sql: "DELETE FROM gateway")
            try Self.insert(events, db)
        }
    }

    /// Every model's registry (`history`).
    package func registries() throws -> [String: ModelRegistry] {
        try database.read { db in try Self.registries(db) }
    }

    /// One model's registry, read without the others'; nil when it has no version.
    package func registry(of model: String) throws -> ModelRegistry? {
        try database.read { db in
            var registry = ModelRegistry(model: model)
            for row in try Row.fetchAll(db, sql: "SELECT record FROM modelVersions WHERE model = ? ORDER BY version", arguments: [model]) {
                registry.versions.append(try Self.decoder.decode(ModelVersion.self, from: Data((row["record"] as String).utf8)))
            }
            for row in try Row.fetchAll(db, sql: "SELECT record FROM modelRevisions WHERE model = ? ORDER BY revision", arguments: [model]) {
                registry.revisions.append(try Self.decoder.decode(ModelRevision.self, from: Data((row["record"] as String).utf8)))
            }
            return registry.versions.isEmpty && registry.revisions.isEmpty ? nil : registry
        }
    }

    private static func registries(_ db: Database) throws -> [String: ModelRegistry] {
        var registries: [String: ModelRegistry] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT model, record FROM modelVersions ORDER BY model, version") {
            let model: String = row["model"]
            registries[model, default: ModelRegistry(model: model)].versions.append(try decoder.decode(ModelVersion.self, from: Data((row["record"] as String).utf8)))
        }
        for row in try Row.fetchAll(db, sql: "SELECT model, record FROM modelRevisions ORDER BY model, revision") {
            let model: String = row["model"]
            registries[model, default: ModelRegistry(model: model)].revisions.append(try decoder.decode(ModelRevision.self, from: Data((row["record"] as String).utf8)))
        }
        return registries
    }

    private static func write(_ registry: ModelRegistry, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM modelVersions WHERE model = ?", arguments: [registry.model])
        try db.execute(sql: "DELETE FROM modelRevisions WHERE model = ?", arguments: [registry.model])
        for version in registry.versions {
            try db.execute(sql: """
                INSERT INTO modelVersions (model, version, fingerprint, "commit", record, createdAt) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [registry.model, version.number, version.fingerprint, version.commit,
                                 String(decoding: try encoder.encode(version), as: UTF8.self), version.createdAt])
        }
        for revision in registry.revisions {
            try db.execute(sql: """
                INSERT INTO modelRevisions (model, revision, version, servingFingerprint, record) VALUES (?, ?, ?, ?, ?)
                """, arguments: [registry.model, revision.number, revision.version, revision.servingFingerprint,
                                 String(decoding: try encoder.encode(revision), as: UTF8.self)])
        }
    }

    /// The status the reconciler last saved.
    package func status() throws -> StatusDocument? {
        try savedStatus()?.document
    }

    /// The status the reconciler last saved, numbered: the number changes with every save
    /// by this process (0: read from the database, saved by an earlier one).
    package func savedStatus() throws -> SavedStatus? {
        if let saved = lastSaved.withLock({ $0 }) { return saved }
        return try database.read { db in try Self.status(db) }.map { SavedStatus(generation: 0, document: $0) }
    }

    /// The applied commit and what finished actions found, read without writing (`plan`).
    package func observed() throws -> StoredObservations {
        try database.read { db in
            let applied = try String.fetchOne(db, sql: "SELECT \"commit\" FROM applied WHERE id = 1")
            var objects: [ObjectKey: ObservedObject] = [:]
            for record in try String.fetchAll(db, sql: "SELECT record FROM observedObjects") {
                let object = try Self.decoder.decode(ObservedObject.self, from: Data(record.utf8))
                objects[object.key] = object
            }
            return StoredObservations(appliedCommit: applied, objects: objects, registries: try Self.registries(db))
        }
    }

    /// Events with an id above `since`, oldest first; only those of objects named `name`
    /// and of `kind` when given.
    package func events(since: Int64 = 0, limit: Int = 1000, name: String? = nil, kind: EventKind? = nil) throws -> [Event] {
        var conditions = ["id > ?"]
        var arguments: StatementArguments = [since]
        if let name {
            conditions.append("name = ?")
            arguments += [name]
        }
        if let kind {
            conditions.append("kind = ?")
            arguments += [kind.rawValue]
        }
        arguments += [limit]
        let sql = "SELECT * FROM events WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT ?"
        return try database.read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.event)
        }
    }

    /// The newest `limit` events, newest first; only those of objects named `name` and of
    /// `kind` when given. What a page shows of a long history, read without the rest.
    package func latestEvents(limit: Int, name: String? = nil, kind: EventKind? = nil) throws -> [Event] {
        var conditions = ["1"]
        var arguments: StatementArguments = []
        if let name {
            conditions.append("name = ?")
            arguments += [name]
        }
        if let kind {
            conditions.append("kind = ?")
            arguments += [kind.rawValue]
        }
        arguments += [limit]
        let sql = "SELECT * FROM events WHERE \(conditions.joined(separator: " AND ")) ORDER BY id DESC LIMIT ?"
        return try database.read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.event)
        }
    }

    private static func event(_ row: Row) -> Event {
        Event(id: row["id"], time: row["time"], kind: EventKind(rawValue: row["kind"]), name: row["name"], reason: EventReason(rawValue: row["reason"]),
              message: row["message"], commit: row["commit"], actor: row["actor"])
    }

    /// Every journaled action, oldest first.
    package func journal() throws -> [JournalRow] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM actions ORDER BY id").map { row in
                JournalRow(id: row["id"], action: row["action"], kind: row["kind"], name: row["name"], fingerprint: row["fingerprint"],
                           attempt: row["attempt"], state: row["state"], output: row["output"])
            }
        }
    }

    private static func status(_ db: Database) throws -> StatusDocument? {
        guard let headerJSON = try String.fetchOne(db, sql: "SELECT json FROM statusHeader WHERE id = 1") else { return nil }
        let header = try decoder.decode(StatusHeader.self, from: Data(headerJSON.utf8))
        var objects = try String.fetchAll(db, sql: "SELECT json FROM statusObjects").map {
            try decoder.decode(ObjectStatus.self, from: Data($0.utf8))
        }
        objects.sort { $0.key < $1.key }
        return StatusDocument(revision: header.revision, objects: objects, comparisonError: header.comparisonError, gateway: header.gateway)
    }

    /// An interrupted action's object waits like after a failure: the attempt is counted
    /// and the next one is due after the backoff.
    private static func backOff(after action: Row, _ db: Database, now: Date) throws {
        let kind: String = action["kind"], name: String = action["name"]
        let fingerprint: String = action["fingerprint"], attempt: Int = action["attempt"]
        guard let manifestKind = ManifestKind(rawValue: kind) else { return }
        let key = ObjectKey(manifestKind, name)
        var object = try String.fetchOne(db, sql: "SELECT record FROM observedObjects WHERE kind = ? AND name = ?", arguments: [kind, name])
            .map { try decoder.decode(ObservedObject.self, from: Data($0.utf8)) } ?? ObservedObject(key: key, updatedAt: now)
        let delay = Backoff.delay(afterAttempts: attempt)
        let message = "interrupted: the process ended during \(action["action"] as String)"
        object.failure = ActionFailure(fingerprint: fingerprint, attempts: attempt, message: message, nextAttemptAt: now.addingTimeInterval(delay))
        object.updatedAt = now
        try db.execute(sql: """
            INSERT INTO observedObjects (kind, name, fingerprint, record, updatedAt) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(kind, name) DO UPDATE SET record = excluded.record, updatedAt = excluded.updatedAt
            """, arguments: [kind, name, object.fingerprint, String(decoding: try encoder.encode(object), as: UTF8.self), now])
        try insert([Event(time: now, kind: EventKind(manifestKind), name: name, reason: .actionInterrupted,
                          message: "\(message) (attempt \(attempt)); retrying in \(Int(delay)) s", commit: action["commit"], actor: "sextant")], db)
    }

    private static func insert(_ events: [Event], _ db: Database) throws {
        guard !events.isEmpty else { return }
        let statement = try db.makeStatement(sql: """
            INSERT INTO events (time, kind, name, reason, message, "commit", actor) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        for event in events {
            try statement.execute(arguments: [event.time, event.kind.rawValue, event.name, event.reason.rawValue, event.message, event.commit, event.actor])
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

/// The part of status stored in one row: everything but the objects.
private struct StatusHeader: Codable {
    var revision: RevisionStatus
    var comparisonError: ComparisonError?
    var gateway: GatewayStatus?
}
