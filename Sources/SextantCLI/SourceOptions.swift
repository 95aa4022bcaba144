import ArgumentParser
import Logging

/// The flags that say what to follow and where to keep state: shared by `reconcile` and
/// (later) `run`.
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

    @Option(help: ArgumentHelp("Log lines on standard error: text or json.", valueName: "format"))
    var logFormat: LogFormat = .text

    @Option(help: "The least important log lines to show.")
    var logLevel: LogLevel = .info
}

enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

enum LogLevel: String, ExpressibleByArgument, CaseIterable {
    case trace, debug, info, notice, warning, error, critical
}
