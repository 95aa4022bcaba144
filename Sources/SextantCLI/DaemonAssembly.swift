import Foundation
package import Logging
package import SextantCore
import SextantAPI
import SextantDaemon
import SextantGit
import SextantRay
import SextantRuntime
package import SextantSource
package import SextantStore
package import ServiceLifecycle

/// The daemon, built in one place from its configuration: the state directory held, the
/// followed repository, the runtime, the reconciler and, for `run`, the loop, the
/// data-plane watchdog and the HTTP API. `run`, `reconcile --once` and tests build it
/// with `buildDaemon`; it holds the state directory's lock until it is dropped.
package struct Daemon {
    /// Runs passes: `reconcile --once` calls it directly, `run`'s loop on its interval.
    package let reconciler: Reconciler
    /// The state directory's store, opened for writing.
    package let store: SQLiteStore
    /// The followed branch, mirrored into the state directory.
    package let repository: RepositorySource
    /// `run`'s services, to run in one group: the loop, the watchdog and the API. Empty
    /// without `DaemonConfiguration.run`.
    package let services: [any Service]
    fileprivate let stateDirectory: StateDirectory
}

/// Checks what would stop the daemon before it does anything (a local `--repo` that is no
/// repository, taken ports), takes the state directory and wires the daemon. Errors are
/// `CommandFailure`s, one line each, as the commands print them.
package func buildDaemon(_ configuration: DaemonConfiguration, logger: Logger = Logger(label: "sextant")) throws -> Daemon {
    try configuration.requireRepository()
    if let run = configuration.run { try PortPreflight.requireFree(flag: "--listen", address: run.listen) }
    try PortPreflight.requireGatewayFree(configuration.gateway, stateDir: configuration.stateDirectory)
    let stateDirectory: StateDirectory
    do throws(StoreError) {
        stateDirectory = try StateDirectory(configuration.stateDirectory, holder: configuration.holder)
    } catch {
        throw CommandFailure(message: error.message)
    }
    let parts = try DaemonParts(configuration, stateDirectory: stateDirectory.absolutePath, logger: logger)
    guard let run = configuration.run else {
        let reconciler = parts.reconciler(store: stateDirectory.store)
        return Daemon(reconciler: reconciler, store: stateDirectory.store, repository: parts.repository, services: [], stateDirectory: stateDirectory)
    }
    // Whether the store takes writes: the reconciler records it; /readyz, status and /metrics show it.
    let storeHealth = StoreHealth()
    let metrics = DaemonMetrics(storeHealth: storeHealth)
    let reconciler = parts.reconciler(store: stateDirectory.store, metrics: metrics, storeHealth: storeHealth)
    let trigger = PassTrigger()
    let readiness = Readiness()
    let loop = ReconcileLoop(reconciler: reconciler, interval: run.interval, trigger: trigger, onPass: { _ in readiness.markReady() }, logger: logger)
    let server = try apiServer(configuration, run: run, store: stateDirectory.store, stateDirectory: stateDirectory.absolutePath, leadership: Leadership(),
                               trigger: trigger, metrics: metrics, readiness: readiness, storeHealth: storeHealth, logger: logger)
    return Daemon(reconciler: reconciler, store: stateDirectory.store, repository: parts.repository,
                  services: [loop, DataPlaneWatchdog(reconciler: reconciler, trigger: trigger), server], stateDirectory: stateDirectory)
}

/// `run`'s HTTP API on `store`, as a service.
func apiServer(_ configuration: DaemonConfiguration, run: DaemonConfiguration.Run, store: any StateReader & OperatorQueue, stateDirectory: String,
               leadership: Leadership, trigger: PassTrigger, metrics: DaemonMetrics, readiness: Readiness, storeHealth: StoreHealth,
               logger: Logger) throws -> any Service {
    guard let (host, port) = RunCommand.address(run.listen) else {
        throw CommandFailure(message: "--listen \(run.listen) is not host:port, e.g. 127.0.0.1:7070 or [::1]:7070")
    }
    let api = DaemonAPI(
        configuration: .init(host: host, port: port, webhookSignature: run.webhookSecret.map(WebhookSignature.init),
                             apiToken: run.apiToken.map { String(decoding: $0, as: UTF8.self) }),
        store: store, stateDirectory: stateDirectory, leadership: leadership, trigger: trigger, metrics: metrics, readiness: readiness,
        storeHealth: storeHealth)
    let server = api.application(logger: logger) { port in
        logger.notice("listening", metadata: ["address": "\(host):\(port)", "repo": "\(redacted(configuration.repository))", "branch": "\(configuration.branch)"])
    }
    if !api.isLoopbackOnly && run.webhookSecret == nil && run.apiToken == nil {
        logger.warning("the API listens beyond loopback without --webhook-secret-file or --api-token-file: the webhook refuses every call")
    }
    return server
}

/// What every reconciler of this configuration is made of: the followed repository, the
/// runtime and the signals of the state directory, and the proposer of changes. A daemon
/// on a SQLite state directory makes one reconciler; a replica on PostgreSQL one per term.
struct DaemonParts {
    let configuration: DaemonConfiguration
    let repository: RepositorySource
    let runtime: any Runtime
    let signals: PredictionLogSignals
    let clock: SystemClock
    let logger: Logger

    /// - Parameter stateDirectory: the state directory's absolute path, held by this process.
    init(_ configuration: DaemonConfiguration, stateDirectory: String, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        // One clock for every wait: the runtime's, the reconciler's, the loop's and the watchdog's.
        clock = SystemClock()
        repository = RepositorySource(url: configuration.repository, branch: configuration.branch, root: configuration.root,
                                      stateDirectory: configuration.stateDirectory, loader: ManifestLoader(classified: configuration.classified))
        let embedded = EmbeddedRuntime(
            blobs: repository, dataRoots: configuration.dataRoots.map(ReconcileCommand.absolute),
            stateDirectory: stateDirectory, readinessTimeout: configuration.readinessTimeout,
            sandbox: try configuration.sandbox(logger: logger), maxRequestBytes: configuration.maxRequestBytes, clock: clock, logger: logger)
        runtime = makeRuntime(configuration.runtime, embedded: embedded, readinessTimeout: configuration.readinessTimeout, clock: clock, logger: logger)
        // What production says: the prediction log and feedback the gateway writes there.
        signals = PredictionLogSignals(stateDirectory: stateDirectory, logger: logger)
        self.stateDirectory = stateDirectory
    }

    private let stateDirectory: String

    /// A reconciler writing to `store`: `run`'s (with metrics and a proposer), or one for
    /// passes on demand.
    /// - Parameter epoch: the lease term of a replica on PostgreSQL (nil alone).
    func reconciler(store: any StateStore, metrics: DaemonMetrics? = nil, storeHealth: StoreHealth = StoreHealth(), epoch: Int64? = nil) -> Reconciler {
        var options = configuration.reconcilerOptions
        options.epoch = epoch
        guard let run = configuration.run else {
            return Reconciler(source: repository, store: store, runtime: runtime, clock: clock, options: options,
                              signals: signals, logger: logger)
        }
        // Proposals (retraining, `sextant rollback`) become branches on --repo, and pull requests with --forge.
        let configuration = configuration, repository = repository, stateDir = stateDirectory
        let dataRoots = configuration.dataRoots.map(ReconcileCommand.absolute)
        let proposer = GitChangeProposer(source: repository, settings: run.branches, pullRequests: configuration.forge?.pullRequests()) { base, head in
            PlanCommand.markdown(mirror: stateDir + "/source.git", root: repository.root, base: base, head: head, stateDir: stateDir, dataRoots: dataRoots,
                                 classified: configuration.classified)
        }
        return Reconciler(source: repository, store: store, runtime: runtime, clock: clock, options: options,
                          metrics: metrics ?? NoMetrics(), storeHealth: storeHealth, signals: signals, proposer: proposer, logger: logger)
    }
}

/// The runtime reads data files' blobs from the followed repository.
extension RepositorySource: BlobReader {}

/// The runtime `--runtime` names. On Ray, the embedded runtime keeps what stays on this
/// machine and hosts external trainers as Ray Jobs and evaluation's servers as Serve
/// applications (DESIGN §12).
private func makeRuntime(_ choice: RuntimeChoice, embedded: EmbeddedRuntime, readinessTimeout: Duration, clock: any WallClock,
                     logger: Logger) -> any Runtime {
    switch choice {
    case .embedded:
        return embedded
    case .ray(let address, let servePort):
        let client = RayClient(address: address)
        // A revision's Serve application may take longer than a local server: Ray starts
        // replicas' workers and unpacks the working directory first.
        let serve = ServeApplicationSet(client: client, proxy: ServeHTTPOptions(port: servePort), files: embedded, clock: clock,
                                        readinessTimeout: max(readinessTimeout, .seconds(180)), logger: logger)
        let local = embedded.hosting(trainers: RayTraining(client: client, clock: clock), privateServers: serve)
        return RayRuntime(local: local, serve: serve)
    }
}
