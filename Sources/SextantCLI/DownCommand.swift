import ArgumentParser
import Foundation
import SextantCore
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

            Examples:
              sextant down
              sextant down --state-dir /var/lib/sextant
            """
    )

    @Option(help: ArgumentHelp("The state directory.", valueName: "dir"))
    var stateDir: String = ".sextant"

    func run() async throws {
        // A mistyped directory is not created (and so holds nothing to stop).
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: stateDir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure(message: "--state-dir \(stateDir): no such state directory; nothing was started from it")
        }
        let held: StateDirectory
        do throws(StoreError) {
            held = try StateDirectory(stateDir, holder: "sextant down")
        } catch {
            throw CommandFailure(message: error.message + "; `down` needs the state directory to itself")
        }
        let runtime = EmbeddedRuntime(blobs: NoBlobs(), stateDirectory: held.absolutePath)
        let stopped = await runtime.stopAll()
        do {
            try await held.store.forgetReplicas(at: Date(), actor: ProcessInfo.processInfo.environment["USER"].map { "user:\($0)" } ?? "user")
        } catch {
            throw CommandFailure(message: "stopped \(stopped) process\(stopped == 1 ? "" : "es") but cannot record it: \(error)")
        }
        withExtendedLifetime(held) {}
        print(stopped == 0 ? "nothing was running in \(stateDir)" : "stopped \(stopped) process\(stopped == 1 ? "" : "es") of \(stateDir)")
    }
}

/// `down` reads no repository.
private struct NoBlobs: BlobReader {
    func readBlob(_ id: String) async throws(SourceFailure) -> [UInt8] {
        throw SourceFailure("no repository")
    }
}
