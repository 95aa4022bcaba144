import Foundation
import Logging
package import SextantAPI
import SextantCore
import SextantWire
import SextantHTTP
import SextantRuntime
package import SextantSource

/// What the daemon is made of, as `run` and `reconcile --once` take it from their flags
/// (`SourceOptions`); tests fill it in directly. `buildDaemon` turns it into a `Daemon`.
package struct DaemonConfiguration: Sendable {
    /// `--repo`: a local path or a URL.
    package var repository: String
    /// `--branch`: the branch to follow.
    package var branch = "main"
    /// `--path`: the watched root inside the repository ("" for its root).
    package var root = ""
    /// `--state-dir`: the mirror, the store and the lock.
    package var stateDirectory = ".sextant"
    /// `--data-root`: directories `uri:` data sources may read.
    package var dataRoots: [String] = []
    /// `--prune`: forget objects removed from Git.
    package var prune = true
    /// `--allow-empty`: apply a commit that removes every Model.
    package var allowEmpty = false
    /// `--max-parallel-training`.
    package var maxParallelTraining = 1
    /// `--gateway` as given (host:port).
    package var gateway = "127.0.0.1:8080"
    /// `--max-request-bytes`, passed to the gateway and the built-in model servers.
    package var maxRequestBytes = HTTPLimits.defaultMaxRequestBytes
    /// `--run-as`: who runs the repository's code when sextant runs as root.
    package var runAs: String?
    /// `--work-dir`: where that user's code runs.
    package var workDirectory: String?
    /// How long a model server may take to become ready.
    package var readinessTimeout: Duration = .seconds(60)
    /// `--fetch-error-grace`: how long fetches may fail before status shows the error.
    package var fetchErrorGrace: Duration = .zero
    /// `--forge…`: where pull requests for Sextant's branches go, token read; nil without
    /// `--forge` (branches are only pushed).
    package var forge: ForgeConfiguration?
    /// `run`'s loop and HTTP API; nil for passes on demand (`reconcile --once`).
    package var run: Run?
    /// `--runtime`: where models train and serve.
    package var runtime: RuntimeChoice = .embedded
    /// `--classified`: the contract classifications that make a column private.
    package var classified: ClassifiedLevels = .default

    /// The long-running daemon's part (`sextant run`).
    package struct Run: Sendable {
        /// `--listen` as given (host:port).
        package var listen: String
        /// How often to fetch when no webhook arrives.
        package var interval: Duration
        /// The push webhook's shared secret, read from `--webhook-secret-file`.
        package var webhookSecret: [UInt8]?
        /// The bearer token of mutating API calls, read from `--api-token-file`.
        package var apiToken: [UInt8]?
        /// `--git-author` and `--git-credentials-file`: how `sextant/<purpose>/<model>`
        /// branches are committed and pushed (`RepositorySource.writeBranch`).
        package var branches: BranchWriteSettings

        /// `run`'s loop and API, secrets already read from their files.
        package init(listen: String, interval: Duration, webhookSecret: [UInt8]? = nil, apiToken: [UInt8]? = nil,
                     branches: BranchWriteSettings = BranchWriteSettings()) {
            self.listen = listen
            self.interval = interval
            self.webhookSecret = webhookSecret
            self.apiToken = apiToken
            self.branches = branches
        }
    }

    /// The flags' defaults, following `repository`.
    package init(repository: String, stateDirectory: String = ".sextant") {
        self.repository = repository
        self.stateDirectory = stateDirectory
    }

    /// This process as the state directory's lock names it to another one it refuses.
    var holder: String {
        run.map { "sextant run --listen \($0.listen)" } ?? "sextant reconcile --once"
    }

    /// A local `--repo` that is no repository ends the command at once, unless a mirror
    /// of it was made before (then the last snapshot applies and status shows the error).
    func requireRepository() throws {
        guard let problem = RepositorySource.localProblem(repository),
              !FileManager.default.fileExists(atPath: stateDirectory + "/source.git") else { return }
        throw CommandFailure(message: "--repo \(repository): \(problem)")
    }

    var reconcilerOptions: Reconciler.Options {
        let address = RunCommand.address(gateway).map { GatewayAddress(host: $0.0, port: $0.1) }
        var options = Reconciler.Options(prune: prune, allowEmpty: allowEmpty, dataRoots: dataRoots.map(ReconcileCommand.absolute),
                                         fetchErrorGrace: fetchErrorGrace, maxParallelTraining: maxParallelTraining, gateway: address)
        options.retrainingDataRoot = retrainingDataRoot
        return options
    }

    /// `DATA_ROOT` of retraining tables (DESIGN §7): the first `--data-root` (where a
    /// `uri:` dataset's new table must lie to be read once merged), else `STATE/datasets`
    /// (enough for datasets read from the repository, whose table is committed).
    var retrainingDataRoot: String {
        dataRoots.first.map(ReconcileCommand.absolute) ?? ReconcileCommand.absolute(stateDirectory + "/datasets")
    }

    /// Who runs the repository's code (DESIGN §6): as root, `--run-as` (default `nobody`)
    /// in `--work-dir`; otherwise this process's user, in the state directory.
    func sandbox(logger: Logger) throws -> Sandbox? {
        guard getuid() == 0 else {
            if let runAs, runAs != ProcessInfo.processInfo.userName {
                throw CommandFailure(message: "--run-as \(runAs) needs sextant to run as root; it runs as \(ProcessInfo.processInfo.userName), who runs the repository's code")
            }
            return nil
        }
        let user = runAs ?? "nobody"
        if user == "root" {
            logger.warning("the repository's code runs as root (--run-as root): it can read the state directory, its database and tokens")
            return nil
        }
        do throws(SandboxError) {
            return try Sandbox(user: user, workDirectory: workDirectory.map(ReconcileCommand.absolute) ?? Self.defaultWorkDirectory(stateDirectory: stateDirectory))
        } catch {
            throw CommandFailure(message: error.message)
        }
    }

    /// One work directory per state directory, in a place every user can pass through
    /// whatever the state directory's parents allow (a `mktemp -d` is 0700): its name and
    /// a hash of its absolute path.
    static func defaultWorkDirectory(stateDirectory: String) -> String {
        let state = ReconcileCommand.absolute(stateDirectory)
        let name = state.split(separator: "/").last.map(String.init) ?? "state"
        return "/var/lib/sextant-work/\(name)-\(Fingerprint.sha256(Array(state.utf8)).prefix(8))"
    }
}
