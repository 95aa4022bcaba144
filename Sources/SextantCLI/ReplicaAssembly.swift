import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import SextantCore
import SextantDaemon
import SextantPostgres
import SextantStore
import ServiceLifecycle
import Synchronization

/// `run --store postgres://…`: one replica of several on one PostgreSQL database (DESIGN
/// §12). The API serves from the first moment, leader or follower; the reconcile loop and
/// the data-plane watchdog run only while this replica holds the lease, each term with a
/// new reconciler writing through a store fenced by the term's epoch.
///
/// The embedded data plane (models, runs, servers' pid files, the gateway's token, the
/// prediction log) lives in `--state-dir`, so replicas share one state directory on one
/// host: a new leader adopts the gateway and the servers and reaps the dead leader's
/// orphans. A term takes the directory's lock after winning the lease and gives it back
/// when it ends: a second fence, on this host.
func buildReplica(_ configuration: DaemonConfiguration, store postgres: PostgresStore, logger: Logger) throws -> [any Service] {
    guard let run = configuration.run else { preconditionFailure("a replica runs the loop: buildReplica needs `run`") }
    try configuration.requireRepository()
    try PortPreflight.requireFree(flag: "--listen", address: run.listen)
    // No --gateway preflight: the port may be held by the leader's gateway, which this
    // replica adopts when it leads.
    let stateDirectory = ReconcileCommand.absolute(configuration.stateDirectory)
    try noteSharedStore(in: stateDirectory, store: postgres.configuration, api: run.listen)
    let holder = ReplicaIdentity.holder
    let leadership = Leadership(.follower)
    let storeHealth = StoreHealth()
    let metrics = DaemonMetrics(storeHealth: storeHealth, leadership: leadership)
    let trigger = PassTrigger()
    let readiness = Readiness()
    let server = try apiServer(configuration, run: run, store: postgres, stateDirectory: stateDirectory, leadership: leadership,
                               trigger: trigger, metrics: metrics, readiness: readiness, storeHealth: storeHealth, logger: logger)
    let replica = ReplicaService(election: postgres, holder: holder, api: run.listen, leadership: leadership, logger: logger,
                                 prepare: { try await postgres.migrate() }) { term, previous in
        let lock = try await StateDirectoryHold.take(stateDirectory, holder: "sextant run --listen \(run.listen) (epoch \(term.epoch))",
                                                     within: .seconds(15))
        let store = TermStore(postgres.writer(for: term)) { _ in leadership.leaseLost(term) }
        let parts = try DaemonParts(configuration, stateDirectory: stateDirectory, logger: logger)
        let reconciler = parts.reconciler(store: store, metrics: metrics, storeHealth: storeHealth, epoch: term.epoch)
        try await store.record([Event(time: Date(), kind: .store, name: "store", reason: .leaderElected,
                                      message: ReplicaIdentity.election(term, previous: previous), commit: nil, actor: "sextant")])
        let loop = ReconcileLoop(reconciler: reconciler, interval: run.interval, trigger: trigger, onPass: { _ in readiness.markReady() }, logger: logger)
        return .init(services: [loop, DataPlaneWatchdog(reconciler: reconciler, trigger: trigger)]) { lock.release() }
    }
    return [PostgresConnections(store: postgres), replica, server]
}

/// Writes `STATE/store.txt`, naming the database (never its password) and this replica's
/// API, so that a command reading the state directory says where the state is instead of
/// finding none.
private func noteSharedStore(in directory: String, store: PostgresStoreConfiguration, api: String) throws {
    do {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try "\(store.url), API of a replica at http://\(api)\n".write(toFile: directory + "/" + SQLiteStore.sharedStoreNote, atomically: true, encoding: .utf8)
    } catch {
        throw CommandFailure(message: "--state-dir \(directory): cannot write \(SQLiteStore.sharedStoreNote): \(error.localizedDescription)")
    }
}

/// This process as the lease names it: `HOST/PID/<8 random hex digits>`, unique per start.
enum ReplicaIdentity {
    static let holder: String = {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count) == 0 ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "localhost"
        return "\(host)/\(getpid())/\(String(format: "%08x", UInt32.random(in: .min ... .max)))"
    }()
}

extension ReplicaIdentity {
    /// The `LeaderElected` event's message: `epoch 2: HOST/PID/… leads; it took over from
    /// HOST/PID/…, whose lease expired at T`.
    static func election(_ term: LeaseTerm, previous: LeaderRecord?) -> String {
        var message = "epoch \(term.epoch): \(term.holder) leads"
        if let previous, previous.holder != term.holder {
            message += "; it took over from \(previous.holder), whose lease (epoch \(previous.epoch)) ended at "
                + previous.expiresAt.formatted(.iso8601)
        }
        return message
    }
}

/// The state directory's lock, held for one term and given back when it ends.
final class StateDirectoryHold: Sendable {
    private let lock: Mutex<StateDirectoryLock?>

    private init(_ lock: StateDirectoryLock) {
        self.lock = Mutex(lock)
    }

    /// Takes the lock, trying again while another process still holds it (a leader that
    /// is stopping gives it back after its term), for `within` at most.
    static func take(_ directory: String, holder: String, within: Duration) async throws -> StateDirectoryHold {
        let deadline = ContinuousClock.now + within
        while true {
            do throws(StoreError) {
                return StateDirectoryHold(try StateDirectoryLock(directory: directory, command: holder))
            } catch {
                guard ContinuousClock.now < deadline else { throw CommandFailure(message: error.message) }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    func release() {
        lock.withLock { $0 = nil }
    }
}

/// Runs the store's connection pools for the daemon's life.
struct PostgresConnections: Service {
    let store: PostgresStore

    func run() async throws {
        await cancelWhenGracefulShutdown { await store.run() }
    }
}
