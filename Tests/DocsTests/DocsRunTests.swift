import Foundation
import SextantTestSupport
import Testing

/// Runs every example of the docs and of `--help` against the quickstart, as the
/// convention of docs/contributing.md describes.
@Suite(.serialized)
struct DocsRunTests {
    @Test("every command in the docs and in --help runs and prints what its quote says",
          .enabled(if: DocSession.isAvailable,
                   "needs root, unshare, nsenter and ip: the docs run in a private network namespace so their ports (8080, 7070, 8081) are their own"),
          .timeLimit(.minutes(15)))
    func docsRun() async throws {
        let session = try await DocSession()
        let setup = DocBlock(source: "setup", commands: [
            DocCommand(source: "setup", text: "sextant reconcile --once --repo . --path examples/quickstart", quotedOutput: []),
        ])
        // The help examples first (`reconcile --help` ends with `down`), then the pages,
        // each after a reconcile that starts the gateway and the model server again.
        var blocks: [DocBlock] = [setup]
        var skipped: [String] = []
        for subcommand in try await subcommands() {
            // The examples that talk to the daemon run in a block of their own, which gets
            // one: the others may need the state directory's lock.
            let source = subcommand.isEmpty ? "sextant --help" : "sextant \(subcommand) --help"
            var block = DocBlock(source: source, commands: [])
            var daemonBlock = DocBlock(source: source, commands: [])
            for command in HelpExamples.commands(in: try await help(subcommand, columns: 200), command: subcommand) {
                if let reason = HelpExampleSkips.reason(for: command) {
                    skipped.append("\(command.source): \(command.text.split(separator: "\n")[0]): \(reason)")
                } else if DocDaemon.isNeeded(by: DocBlock(source: source, commands: [command])) {
                    daemonBlock.commands.append(command)
                } else {
                    block.commands.append(command)
                }
            }
            blocks += [block, daemonBlock]
        }
        blocks.append(setup)
        for path in DocPages.paths {
            blocks += MarkdownExamples.parse(try DocPages.text(of: path), file: path).blocks
        }
        skipped += blocks.compactMap { block in block.skipReason.map { "\(block.source): \($0)" } }

        let teardown = DocCommand(source: "teardown", text: "sextant down", quotedOutput: [])
        var failures: [String] = []
        for block in blocks where block.skipReason == nil && !block.commands.isEmpty {
            failures += try await session.failures(of: block)
        }
        failures += try await session.failures(of: DocBlock(source: "teardown", commands: [teardown]))

        print("docs test: \(blocks.filter { $0.skipReason == nil }.count) blocks run, \(skipped.count) skipped:\n  " + skipped.joined(separator: "\n  "))
        for failure in failures {
            Issue.record(Comment(rawValue: failure))
        }
    }

    @Test("the pages keep their commands in console blocks and link only inside the repository")
    func pagesFollowTheConvention() throws {
        var problems: [DocProblem] = []
        for path in DocPages.paths {
            let text = try DocPages.text(of: path)
            problems += MarkdownExamples.parse(text, file: path).problems
            problems += LinkChecker.problems(in: text, file: path, root: packageRoot)
        }
        #expect(problems.isEmpty, "\(problems.map(\.description).joined(separator: "\n"))")
    }

    @Test("help examples stay whole at 80 columns")
    func helpExamplesFitEightyColumns() async throws {
        for command in try await subcommands() {
            let narrow = try await help(command, columns: 80)
            let wide = try await help(command, columns: 200)
            let lines = HelpExamples.lines(in: narrow)
            #expect(lines == HelpExamples.lines(in: wide), "sextant \(command) --help: an example wraps at 80 columns:\n\(lines.joined(separator: "\n"))")
            for line in lines {
                #expect(line.count <= 78, "sextant \(command) --help: \(line.count) columns: \(line)")
            }
        }
    }

    private func subcommands() async throws -> [String] {
        [""] + HelpExamples.subcommands(in: try await help("", columns: 200))
    }

    private func help(_ command: String, columns: Int) async throws -> String {
        let arguments = command.isEmpty ? ["--help"] : [command, "--help"]
        let output = try await runProcess(sextantBinary, arguments, environment: ["PATH": "/usr/bin:/bin", "COLUMNS": "\(columns)"])
        return output.stdout
    }
}
