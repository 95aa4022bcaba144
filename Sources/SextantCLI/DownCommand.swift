import ArgumentParser
import Foundation
import Logging
import SextantCore
import SextantPostgres
import SextantRuntime
import SextantStore

struct DownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop the gateway and every model server of a state directory (the data plane).",
        discussion: """
            The gateway and the servers Sextant starts are detached: they keep serving when the daemon or
            `reconcile --once` exits, so that restarting Sextant never drops traffic. `down`
            stops them on purpose: SIGTERM, then SIGKILL after a grace period. It refuses
            while a daemon holds the state directory (stop the daemon first). The next
            `reconcile --once` or `run` starts them again.

            Replicas on PostgreSQL (`run --store postgres://…`) keep their state there: give
            `down` the same --store. It refuses while a replica leads; else it takes the
            lease for itself while it stops the processes and records that, then gives it
            back, and the next leader starts what should serve.

            Examples:
              sextant down
              sextant down --state-dir /var/lib/sextant
              sextant down --state-dir /var/lib/sextant \\
                  --store postgres://sextant@db.internal:5432/sextant?sslmode=require \\
                  --store-password-file /etc/sextant/pgpass
            """
    )

    @Option(help: ArgumentHelp("The state directory.", valueName: "dir"))
    var stateDir: String = ".sextant"

    @OptionGroup var store: StoreOptions

    func run() async throws {
        // A mistyped directory is not created (and so holds nothing to stop).
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: stateDir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure(message: "--state-dir \(stateDir): no such state directory; nothing was started from it")
        }
        let actor = ProcessInfo.processInfo.environment["USER"].map { "user:\($0)" } ?? "user"
        let stopped: Int
        if let postgres = try store.postgres() {
            stopped = try await downShared(postgres, actor: actor)
        } else {
            if let shared = try? String(contentsOfFile: stateDir + "/" + SQLiteStore.sharedStoreNote, encoding: .utf8) {
                throw CommandFailure(message: "the state of \(stateDir) is kept in PostgreSQL by `sextant run --store` "
                    + "(\(shared.trimmingCharacters(in: .whitespacesAndNewlines))): give `down` the same --store (and --store-password-file)")
            }
            stopped = try await downAlone(actor: actor)
        }
        print(stopped == 0 ? "nothing was running in \(stateDir)" : "stopped \(stopped) process\(stopped == 1 ? "" : "es") of \(stateDir)")
    }

    /// The state directory's SQLite: its lock keeps a daemon out while `down` runs.
    private func downAlone(actor: String) async throws -> Int {
        let held: StateDirectory
        do throws(StoreError) {
            held = try StateDirectory(stateDir, holder: "sextant down")
        } catch {
            throw CommandFailure(message: error.message + "; `down` needs the state directory to itself")
        }
        let stopped = await stopAll(held.absolutePath)
        do {
            try await held.store.forgetReplicas(at: Date(), actor: actor)
        } catch {
            throw CommandFailure(message: "stopped \(stopped) process\(stopped == 1 ? "" : "es") but cannot record it: \(error)")
        }
        withExtendedLifetime(held) {}
        return stopped
    }

    /// Replicas' PostgreSQL: `down` leads for as long as it takes (renewing the lease like a
    /// replica), so no replica acts meanwhile and its one write is fenced like theirs.
    private func downShared(_ configuration: PostgresStoreConfiguration, actor: String) async throws -> Int {
        var logger = Logger(label: "sextant")
        logger.logLevel = .error
        let postgres = PostgresStore(configuration: configuration, applicationName: "sextant down", logger: logger, maximumConnections: 2)
        let connections = Task { await postgres.run() }
        defer { connections.cancel() }
        try requireReplicasDirectory(of: configuration)
        let term: LeaseTerm
        do {
            try await postgres.requireCurrentSchema()
            guard let taken = try await postgres.acquire(holder: "sextant down (\(ReplicaIdentity.holder))", api: nil) else {
                let leader = try await postgres.leader()
                throw CommandFailure(message: "a replica leads \(configuration.url)"
                    + (leader.map { ": \($0.holder)\($0.api.map { " at \($0)" } ?? "") (epoch \($0.epoch), lease until \($0.expiresAt.formatted(.iso8601)))" } ?? "")
                    + "; stop the replicas first: `down` needs the store to itself")
            }
            term = taken
        } catch let error as PostgresStoreError {
            throw CommandFailure(message: error.message)
        }
        let keepAlive = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: LeaseTiming.standard.renewEvery)
                _ = try? await postgres.renew(term)
            }
        }
        defer { keepAlive.cancel() }
        func release() async {
            keepAlive.cancel()
            try? await postgres.release(term)
        }
        let lock: StateDirectoryLock
        do throws(StoreError) {
            lock = try StateDirectoryLock(directory: stateDir, command: "sextant down")
        } catch {
            await release()
            throw CommandFailure(message: error.message + "; `down` needs the state directory to itself")
        }
        let stopped = await stopAll(ReconcileCommand.absolute(stateDir))
        do {
            try await postgres.writer(for: term).forgetReplicas(at: Date(), actor: actor)
        } catch let lost as LeaseLost {
            throw CommandFailure(message: "stopped \(stopped) process\(stopped == 1 ? "" : "es"), but the lease ran out meanwhile (\(lost)): "
                + "nothing was recorded in \(configuration.url); a replica that leads now starts what should serve")
        } catch {
            await release()
            throw CommandFailure(message: "stopped \(stopped) process\(stopped == 1 ? "" : "es") but cannot record it in \(configuration.url): \(error); "
                + "the next leader sees them gone and starts what should serve")
        }
        await release()
        withExtendedLifetime(lock) {}
        return stopped
    }

    /// The state directory must be the replicas' (their `store.txt` names this database):
    /// `down` of another directory would record, in the replicas' store, processes it never stopped.
    private func requireReplicasDirectory(of configuration: PostgresStoreConfiguration) throws {
        guard let note = try? String(contentsOfFile: stateDir + "/" + SQLiteStore.sharedStoreNote, encoding: .utf8) else {
            throw CommandFailure(message: "--state-dir \(stateDir) is not the state directory of replicas on PostgreSQL (it has no "
                + "\(SQLiteStore.sharedStoreNote)); pass the --state-dir the replicas run with")
        }
        let named = note.split(separator: ",").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        guard let theirs = try? PostgresStoreConfiguration.parse(named, environment: [:]), theirs.sameDatabase(as: configuration) else {
            throw CommandFailure(message: "--state-dir \(stateDir) belongs to the replicas of \(named), not of \(configuration.url); "
                + "pass the --store and --state-dir of one set of replicas")
        }
    }

    private func stopAll(_ directory: String) async -> Int {
        await EmbeddedRuntime(blobs: NoBlobs(), stateDirectory: directory).stopAll()
    }
}

/// `down` reads no repository.
private struct NoBlobs: BlobReader {
    func readBlob(_ id: String) async throws(SourceFailure) -> [UInt8] {
        throw SourceFailure("no repository")
    }
}
