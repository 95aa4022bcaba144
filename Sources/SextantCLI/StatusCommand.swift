import ArgumentParser
import Foundation
import SextantCore
import SextantStore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every object's sync, health and phase, and the followed commit.",
        discussion: """
            Reads the state the reconciler saved in --state-dir (no lock needed: it works while
            a daemon runs). NAME shows only objects of that name; KIND/NAME one object.

            Exit status: 0; 1 if any object is Degraded.

            Examples:
              sextant status
              sextant status transactions
              sextant status Dataset/transactions -o json
              sextant status -o yaml --state-dir /var/lib/sextant
            """
    )

    @Argument(help: ArgumentHelp("Only objects of this name, or KIND/NAME.", valueName: "name"))
    var name: String?

    @Option(name: .shortAndLong, help: "table, json or yaml.")
    var output: StatusOutput = .table

    @Option(help: ArgumentHelp("The state directory the reconciler writes.", valueName: "dir"))
    var stateDir: String = ".sextant"

    func run() throws {
        let document: StatusDocument
        do throws(StoreError) {
            let store = try SQLiteStore(readingFrom: stateDir)
            guard let saved = try Self.read(store) else {
                throw StoreError("no status in \(stateDir) yet: the reconciler has not finished a pass")
            }
            document = saved
        } catch {
            throw CommandFailure(message: error.message)
        }
        let shown = name.map(document.filtered) ?? document
        if let name, shown.objects.isEmpty {
            throw CommandFailure(message: "no object named \(name); `sextant status` lists them all")
        }
        print(StatusRenderer.render(shown, as: output, now: Date()), terminator: "")
        if shown.isDegraded { throw ExitCode(1) }
    }

    private static func read(_ store: SQLiteStore) throws(StoreError) -> StatusDocument? {
        do {
            return try store.status()
        } catch {
            throw StoreError("cannot read \(store.path): \(error)")
        }
    }
}
