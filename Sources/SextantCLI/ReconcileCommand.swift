import ArgumentParser
import Foundation
import Logging
import SextantCore
import SextantGit

struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Converge once: fetch, check data, act until nothing more can progress, then exit.",
        discussion: """
            Follows --branch of --repo (mirrored into --state-dir on first use), applies
            the head commit if its manifests are valid (otherwise the last good commit
            stays and status says why), checks every dataset against its data contract,
            trains what changed, evaluates each new revision through its own server,
            packages what passes its gates and deploys it, records everything in the
            state store, and prints status. The model servers it starts keep serving
            after it exits: stop them with `sextant down`.

            Exit status: 0 converged or progressing; 1 DataInvalid, TrainingFailed,
            GateFailed or RolloutAborted, the head commit is invalid, or the gateway does
            not serve; 2 usage error, --gateway taken by another process (checked first),
            the source is unreachable and no commit was ever applied, or the state store
            cannot be written (disk full, read-only).

            Examples:
              sextant reconcile --once --repo . --path examples/quickstart
              sextant reconcile --once --repo https://github.com/acme/ml-config \\
                  --branch prod
              sextant reconcile --once --repo /srv/config --data-root /srv/data
              sextant down    # stop the model servers it started
            """
    )

    @Flag(help: "Run passes until nothing more can progress without time or traffic, then exit (required; `run` is the daemon).")
    var once = false

    @OptionGroup var source: SourceOptions

    @Option(name: .shortAndLong, help: "How to print status at the end: table, wide, json or yaml.")
    var output: StatusOutput = .table

    /// For benchmarks: at least this many passes, so a no-op pass is timed in-process.
    @Option(help: .hidden)
    var minPasses: Int = 1

    func validate() throws {
        guard once else { throw ValidationError("reconcile needs --once (it exits when done); the long-running daemon is `sextant run`") }
    }

    func run() async throws {
        source.bootstrapLogging()
        let logger = Logger(label: "sextant")
        let daemon = try buildDaemon(source.daemonConfiguration(), logger: logger)
        let reconciler = daemon.reconciler

        var report: Reconciler.PassReport
        var passes = 0
        repeat {
            do {
                report = try await reconciler.pass()
            } catch {
                // The store cannot be written: what waits in memory is logged, then one line.
                await reconciler.flushBeforeExit()
                throw CommandFailure(message: "\(error)")
            }
            passes += 1
            if report.sourceUnavailable {
                throw CommandFailure(message: "cannot fetch \(redacted(source.repo)) (branch \(source.branch)) and no commit was applied before: \(report.sourceError ?? "unknown error")")
            }
        } while (!report.remaining.actions.isEmpty || passes < minPasses) && passes < max(100, minPasses)
        withExtendedLifetime(daemon) {}

        print(StatusRenderer.render(report.status, as: output, now: Date(), width: Terminal.width()), terminator: "")
        throw ExitCode(Self.exitStatus(report.status))
    }

    /// 1 when anything is stopped for a reason a person must fix, or the gateway does not serve.
    static func exitStatus(_ status: StatusDocument) -> Int32 {
        if status.comparisonError != nil || status.objects.contains(where: \.phase.needsAPerson) { return 1 }
        if status.gateway?.serving == false { return 1 }
        return 0
    }

    static func absolute(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return URL(fileURLWithPath: absolute).standardizedFileURL.path
    }
}
