import ArgumentParser
import SextantHTTP

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

    @Option(name: .customLong("data-root"), help: ArgumentHelp("A directory whose files uri: data sources may read (repeatable); the first also receives retraining tables (default: STATE/datasets).", valueName: "dir"))
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

    @OptionGroup var runtime: RuntimeOptions

    @OptionGroup var classified: ClassifiedOptions

    @OptionGroup var forge: ForgeOptions

    @Option(help: ArgumentHelp("Log lines on standard error: text or json.", valueName: "format"))
    var logFormat: LogFormat = .text

    @Option(help: "The least important log lines to show.")
    var logLevel: LogLevel = .info

    /// The daemon these flags describe; `run` adds its loop and API. Secret files are
    /// read here (a problem with one is a `CommandFailure` naming its flag).
    func daemonConfiguration(run: DaemonConfiguration.Run? = nil, fetchErrorGrace: Duration = .zero) throws -> DaemonConfiguration {
        var configuration = DaemonConfiguration(repository: repo, stateDirectory: stateDir)
        configuration.branch = branch
        configuration.root = path
        configuration.dataRoots = dataRoots
        configuration.prune = prune
        configuration.allowEmpty = allowEmpty
        configuration.maxParallelTraining = maxParallelTraining
        configuration.gateway = gateway
        configuration.maxRequestBytes = maxRequestBytes
        configuration.runAs = runAs
        configuration.workDirectory = workDir
        configuration.readinessTimeout = .milliseconds(Int64(readinessTimeout * 1000))
        configuration.fetchErrorGrace = fetchErrorGrace
        configuration.run = run
        configuration.runtime = runtime.choice
        configuration.classified = classified.levels
        configuration.forge = try forge.configuration(remote: repo)
        return configuration
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
