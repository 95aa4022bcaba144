import ArgumentParser
import Foundation
import Logging
import SextantAPI
import SextantCore
import SextantHTTP
import SextantRuntime
import SextantWire

/// The flags that say what to follow, where to keep state and how to act: shared by
/// `reconcile` and `run`.
struct SourceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The Git repository to follow: a local path, file://, git://, http(s):// or ssh URL.", valueName: "url|path"))
    var repo: String

    @Option(help: "The branch to follow.")
    var branch: String = "main"

    @Option(help: ArgumentHelp("The watched root inside the repository (default: its root).", valueName: "dir"))
    var path: String = ""

    @Option(help: ArgumentHelp("Where Sextant keeps its mirror, database and lock.", valueName: "dir"))
    var stateDir: String = ".sextant"

    @Option(name: .customLong("data-root"), help: ArgumentHelp("A directory whose files uri: data sources may read (repeatable).", valueName: "dir"))
    var dataRoots: [String] = []

    @Option(help: ArgumentHelp("Forget objects removed from Git (--prune=false keeps them, OutOfSync).", valueName: "bool"))
    var prune: Bool = true

    @Flag(help: "Apply a commit even when it removes every Model the applied commit has.")
    var allowEmpty = false

    @Option(help: ArgumentHelp("How many trainings may run at once (external ones at lower CPU priority).", valueName: "n"))
    var maxParallelTraining: Int = 1

    @Option(help: ArgumentHelp("Where the gateway serves inference for every model (host:port); it runs detached and outlives this process.", valueName: "address"))
    var gateway: String = "127.0.0.1:8080"

    @Option(help: ArgumentHelp("The largest inference request body the gateway and the built-in model servers take, in bytes (larger: 413); passed to them when they start.", valueName: "bytes"))
    var maxRequestBytes: Int = HTTPLimits.defaultMaxRequestBytes

    @Option(help: ArgumentHelp("When sextant runs as root: the user that runs the repository's code (external trainers, serving commands); root keeps it root.", valueName: "user"))
    var runAs: String?

    @Option(help: ArgumentHelp("With --run-as: where the repository's code runs, outside the private state directory (default: /var/lib/sextant-work/NAME-HASH, one per state directory).", valueName: "dir"))
    var workDir: String?

    /// How long a model server may take to become ready (tests shorten it).
    @Option(help: .hidden)
    var readinessTimeout: Double = 60

    @Option(help: ArgumentHelp("Log lines on standard error: text or json.", valueName: "format"))
    var logFormat: LogFormat = .text

    @Option(help: "The least important log lines to show.")
    var logLevel: LogLevel = .info

    /// A local `--repo` that is no repository ends the command at once, unless a mirror
    /// of it was made before (then the last snapshot applies and status shows the error).
    func requireRepository() throws {
        guard let problem = RepositorySource.localProblem(repo),
              !FileManager.default.fileExists(atPath: stateDir + "/source.git") else { return }
        throw CommandFailure(message: "--repo \(repo): \(problem)")
    }

    /// The embedded runtime of this state directory.
    func runtime(blobs: any BlobReader, logger: Logger) throws -> EmbeddedRuntime {
        EmbeddedRuntime(blobs: blobs, dataRoots: dataRoots.map(ReconcileCommand.absolute), stateDirectory: ReconcileCommand.absolute(stateDir),
                        readinessTimeout: .milliseconds(Int64(readinessTimeout * 1000)), sandbox: try sandbox(logger: logger), maxRequestBytes: maxRequestBytes,
                        logger: logger)
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
            return try Sandbox(user: user, workDirectory: workDir.map(ReconcileCommand.absolute) ?? Self.defaultWorkDirectory(stateDirectory: stateDir))
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

    func reconcilerOptions(fetchErrorGrace: Duration = .zero) -> Reconciler.Options {
        let roots = dataRoots.map(ReconcileCommand.absolute)
        let address = RunCommand.address(gateway).map { GatewayAddress(host: $0.0, port: $0.1) }
        return Reconciler.Options(prune: prune, allowEmpty: allowEmpty, dataRoots: roots, fetchErrorGrace: fetchErrorGrace,
                                  maxParallelTraining: maxParallelTraining, gateway: address)
    }

    func validate() throws {
        guard maxRequestBytes > 0 else { throw ValidationError("--max-request-bytes \(maxRequestBytes) must be a positive number of bytes, e.g. 67108864 (64 MiB)") }
        guard RunCommand.address(gateway) != nil else {
            throw ValidationError("--gateway \(gateway) is not host:port, e.g. 127.0.0.1:8080 or 0.0.0.0:8080")
        }
    }
}

enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

enum LogLevel: String, ExpressibleByArgument, CaseIterable {
    case trace, debug, info, notice, warning, error, critical
}
