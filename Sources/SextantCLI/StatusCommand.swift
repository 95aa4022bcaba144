import ArgumentParser
import Foundation
import SextantCore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every object's sync, health and phase, and the followed commit.",
        discussion: """
            Reads the state the reconciler saved in --state-dir (no lock needed: it
            works while a daemon runs), or asks a running daemon with --server. NAME
            shows only objects of that name; KIND/NAME one object. The table fits the
            terminal (or COLUMNS), long messages cut with …; -o wide prints every cell
            whole. --watch redraws every 2 seconds until interrupted, the header on top.

            Exit status: 0; 1 if any object is Degraded; 2 when nothing has that name,
            or the state or the server cannot be read.

            Examples:
              sextant status
              sextant status transactions
              sextant status Dataset/transactions -o json
              sextant status -o wide --state-dir /var/lib/sextant
              sextant status --server http://127.0.0.1:7070 --watch
            """
    )

    @Argument(help: ArgumentHelp("Only objects of this name, or KIND/NAME.", valueName: "name"))
    var name: String?

    @Option(name: .shortAndLong, help: "table, wide, json or yaml.")
    var output: StatusOutput = .table

    @OptionGroup var source: StatusSource

    @Flag(help: "Redraw every 2 seconds until interrupted.")
    var watch = false

    func run() async throws {
        guard watch else {
            let document = try await source.status()
            let shown = try shown(of: document)
            print(StatusRenderer.render(shown, as: output, now: Date(), width: Terminal.width()), terminator: "")
            if shown.isDegraded { throw ExitCode(1) }
            return
        }
        try await WatchScreen.run(every: .seconds(2)) { width in
            let document = try await source.status()
            do {
                return StatusRenderer.render(try shown(of: document), as: output, now: Date(), width: width)
            } catch let unknown as CommandFailure {
                // While watching, a name may not exist yet: the view says so and waits.
                return StatusRenderer.render(document.filtered(name ?? ""), as: output, now: Date(), width: width) + unknown.message + "\n"
            }
        }
    }

    /// The objects NAME selects, or a failure suggesting the nearest name.
    private func shown(of document: StatusDocument) throws -> StatusDocument {
        guard let name else { return document }
        let shown = document.filtered(name)
        if shown.objects.isEmpty { throw NameSuggestion.noObject(named: name, in: document, listing: "sextant status") }
        return shown
    }
}
