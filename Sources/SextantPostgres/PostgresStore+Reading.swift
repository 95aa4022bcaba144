import Foundation
import Logging
import PostgresNIO
import SextantAPI
package import SextantCore
package import SextantWire
import Synchronization

/// What every replica reads (`StateReader`), leader or follower.
extension PostgresStore {
    /// The status last saved, with its generation (the number of saves): decoded from the
    /// database only when the generation changed since the last read.
    package func savedStatus() async throws -> SavedStatus? {
        let cached = cachedStatus.withLock { $0 }
        let saved: SavedStatus? = try await read { connection in
            let logger = self.logger
            let headers = try await connection.query("SELECT json, generation FROM status_header WHERE id = 1", logger: logger).collect()
            guard let header = headers.first else { return nil }
            let (json, generation) = try header.decode((String, Int64).self)
            if let cached, cached.generation == UInt64(generation) { return cached }
            return SavedStatus(generation: UInt64(generation), document: try await Self.status(header: json, connection, logger))
        }
        if let saved { cachedStatus.withLock { $0 = saved } }
        return saved
    }

    /// The status the leader last saved.
    package func status() async throws -> StatusDocument? {
        try await savedStatus()?.document
    }

    static func status(header json: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> StatusDocument {
        let header = try decode(PostgresStatusHeader.self, json)
        var objects: [ObjectStatus] = []
        for try await json in try await connection.query("SELECT json FROM status_objects", logger: logger).decode(String.self) {
            objects.append(try decode(ObjectStatus.self, json))
        }
        objects.sort { $0.key < $1.key }
        return StatusDocument(revision: header.revision, objects: objects, comparisonError: header.comparisonError, gateway: header.gateway)
    }

    /// Events with an id above `since`, oldest first; only those of objects named `name`
    /// and of `kind` when given.
    package func events(since: Int64 = 0, limit: Int = 1000, name: String? = nil, kind: EventKind? = nil) async throws -> [Event] {
        try await rows("""
            SELECT id, time, kind, name, reason, message, commit_sha, actor FROM events
             WHERE id > \(since) AND (\(name)::text IS NULL OR name = \(name)) AND (\(kind?.rawValue)::text IS NULL OR kind = \(kind?.rawValue))
             ORDER BY id LIMIT \(Int64(limit))
            """).map(Self.event)
    }

    /// The newest `limit` events, newest first; filtered as `events`.
    package func latestEvents(limit: Int, name: String? = nil, kind: EventKind? = nil) async throws -> [Event] {
        try await rows("""
            SELECT id, time, kind, name, reason, message, commit_sha, actor FROM events
             WHERE (\(name)::text IS NULL OR name = \(name)) AND (\(kind?.rawValue)::text IS NULL OR kind = \(kind?.rawValue))
             ORDER BY id DESC LIMIT \(Int64(limit))
            """).map(Self.event)
    }

    static func event(_ row: PostgresRow) throws -> Event {
        let (id, time, kind, name, reason, message, commit, actor) = try row.decode((Int64, Date, String, String, String, String, String?, String).self)
        return Event(id: id, time: time, kind: EventKind(rawValue: kind), name: name, reason: EventReason(rawValue: reason),
                     message: message, commit: commit, actor: actor)
    }

    package func registries() async throws -> [String: ModelRegistry] {
        try await read { connection in try await Self.registries(connection, self.logger) }
    }

    static func registries(_ connection: PostgresConnection, _ logger: Logger) async throws -> [String: ModelRegistry] {
        var registries: [String: ModelRegistry] = [:]
        for try await (model, record) in try await connection.query("SELECT model, record FROM model_versions ORDER BY model, version", logger: logger)
            .decode((String, String).self) {
            registries[model, default: ModelRegistry(model: model)].versions.append(try decode(ModelVersion.self, record))
        }
        for try await (model, record) in try await connection.query("SELECT model, record FROM model_revisions ORDER BY model, revision", logger: logger)
            .decode((String, String).self) {
            registries[model, default: ModelRegistry(model: model)].revisions.append(try decode(ModelRevision.self, record))
        }
        return registries
    }

    package func registry(of model: String) async throws -> ModelRegistry? {
        try await read { connection in
            var registry = ModelRegistry(model: model)
            for try await record in try await connection.query("SELECT record FROM model_versions WHERE model = \(model) ORDER BY version", logger: self.logger)
                .decode(String.self) {
                registry.versions.append(try Self.decode(ModelVersion.self, record))
            }
            for try await record in try await connection.query("SELECT record FROM model_revisions WHERE model = \(model) ORDER BY revision", logger: self.logger)
                .decode(String.self) {
                registry.revisions.append(try Self.decode(ModelRevision.self, record))
            }
            return registry.versions.isEmpty && registry.revisions.isEmpty ? nil : registry
        }
    }

    package func resources() async throws -> [RevisionKey: RevisionResources] {
        try await read { connection in try await Self.resources(connection, self.logger) }
    }

    static func resources(_ connection: PostgresConnection, _ logger: Logger) async throws -> [RevisionKey: RevisionResources] {
        var resources: [RevisionKey: RevisionResources] = [:]
        for try await record in try await connection.query("SELECT record FROM revision_resources", logger: logger).decode(String.self) {
            let revision = try decode(RevisionResources.self, record)
            resources[revision.key] = revision
        }
        return resources
    }

    package func observed() async throws -> StoredObservations {
        try await read { connection in
            StoredObservations(appliedCommit: try await Self.appliedCommit(connection, self.logger), objects: try await Self.observedObjects(connection, self.logger),
                               registries: try await Self.registries(connection, self.logger))
        }
    }

    static func appliedCommit(_ connection: PostgresConnection, _ logger: Logger) async throws -> String? {
        for try await commit in try await connection.query("SELECT commit_sha FROM applied WHERE id = 1", logger: logger).decode(String.self) {
            return commit
        }
        return nil
    }

    static func observedObjects(_ connection: PostgresConnection, _ logger: Logger) async throws -> [ObjectKey: ObservedObject] {
        var objects: [ObjectKey: ObservedObject] = [:]
        for try await record in try await connection.query("SELECT record FROM observed_objects", logger: logger).decode(String.self) {
            let object = try decode(ObservedObject.self, record)
            objects[object.key] = object
        }
        return objects
    }

    package func routes() async throws -> RoutingTable? {
        try await read { connection in try await Self.routes(connection, self.logger) }
    }

    static func routes(_ connection: PostgresConnection, _ logger: Logger) async throws -> RoutingTable? {
        for try await record in try await connection.query("SELECT record FROM routes WHERE id = 1", logger: logger).decode(String.self) {
            return try decode(RoutingTable.self, record)
        }
        return nil
    }

    package func gateway() async throws -> GatewayProcess? {
        try await read { connection in try await Self.gateway(connection, self.logger) }
    }

    static func gateway(_ connection: PostgresConnection, _ logger: Logger) async throws -> GatewayProcess? {
        for try await record in try await connection.query("SELECT record FROM gateway WHERE id = 1", logger: logger).decode(String.self) {
            return try decode(GatewayProcess.self, record)
        }
        return nil
    }

    package func journal() async throws -> [JournalRow] {
        try await rows("SELECT id, action, kind, name, fingerprint, attempt, state, output FROM actions ORDER BY id").map { row in
            let (id, action, kind, name, fingerprint, attempt, state, output) = try row.decode((Int64, String, String, String, String, Int64, String, String?).self)
            return JournalRow(id: id, action: action, kind: kind, name: name, fingerprint: fingerprint, attempt: Int(attempt), state: state, output: output)
        }
    }
}
