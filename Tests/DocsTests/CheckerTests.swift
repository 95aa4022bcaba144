import Foundation
import SextantTestSupport
import Testing

/// The docs checker itself: each stale example of issue 16, kept as a fixture, is reported.
@Suite
struct CheckerTests {
    static let fixtures = "\(packageRoot)/Tests/DocsTests/Fixtures"

    @Test("a console block splits into commands, continuation lines and quoted output")
    func parsesConsoleBlocks() {
        let page = """
            <!-- docs-test: skip (needs a forge) -->
            ```console
            $ sextant plan --repo . \\
                  --base main
            plan: main → HEAD
            ...

            $ echo $?
            1
            ```
            """
        let (blocks, problems) = MarkdownExamples.parse(page, file: "page.md")
        #expect(problems.isEmpty)
        #expect(blocks.count == 1)
        #expect(blocks[0].skipReason == "needs a forge")
        #expect(blocks[0].commands == [
            DocCommand(source: "page.md:3", text: "sextant plan --repo . \\\n      --base main", quotedOutput: ["plan: main → HEAD", "..."]),
            DocCommand(source: "page.md:8", text: "echo $?", quotedOutput: ["1"]),
        ])
    }

    @Test("a block that names 127.0.0.1:7070 gets a daemon, unless it starts its own", arguments: [
        (["curl -fs http://127.0.0.1:7070/api/v1/status"], true),
        (["sextant status", "sextant status --server http://127.0.0.1:7070"], true),
        (["sextant run --repo . --path examples/quickstart &", "curl -fs http://127.0.0.1:7070/readyz"], false),
        (["sextant status", "curl -fs http://127.0.0.1:8080/v2/models/fraud-detector/ready"], false),
    ])
    func daemonForBlocks(commands: [String], needsDaemon: Bool) {
        let block = DocBlock(source: "page.md:1", commands: commands.map { DocCommand(source: "page.md:2", text: $0, quotedOutput: []) })
        #expect(DocDaemon.isNeeded(by: block) == needsDaemon)
    }

    @Test("commands that run until Ctrl-C are recognised; background and one-shot ones are not", arguments: [
        ("sextant run --repo . --path examples/quickstart --interval 5s", true),
        ("sextant run --repo . --path examples/quickstart &", false),
        ("sextant status --server http://127.0.0.1:7070 --watch    # redrawn every 2 s", true),
        ("sextant events fraud-detector --follow --server http://127.0.0.1:7070", true),
        ("curl -N 'http://127.0.0.1:7070/api/v1/events/stream'", true),
        ("curl -fs http://127.0.0.1:7070/api/v1/status", false),
        ("sextant reconcile --once --repo . --path examples/quickstart", false),
    ])
    func untilStopped(text: String, runsUntilStopped: Bool) {
        #expect(UntilStopped.matches(DocCommand(source: "page.md:2", text: text, quotedOutput: [])) == runsUntilStopped)
    }

    @Test("quoted output matches with ellipses and normalised times, hashes, ports, paths", arguments: [
        (["main @ 69b756f \"...\", fetched 0s ago"], "main @ 3f2a9c1 \"raise the threshold\", fetched 12s ago", true),
        (["a", "...", "z"], "a\nb\nc\nz\n", true),
        (["a", "...", "z"], "a\nz", true),
        (["...", "z"], "a\nb", false),
        (["served through http://127.0.0.1:8080"], "served through http://127.0.0.1:46711", true),
        (["since 2026-11-21T23:52:13Z in 0.03 s"], "since 2027-01-02T03:04:05.123Z in 1.5 s", true),
        (["stopped pid 12, log /tmp/x/log"], "stopped pid 4711, log /tmp/sextant-docs-1234/log", true),
        (["r1   100%   v1"], "r1 100% v1", true),
        (["auc 0.9835, ..."], "auc 0.9836, f1 0.85", false),
        (["KIND NAME"], "KIND NAME\nModel fraud-detector", false),
    ])
    func matchesQuotes(quote: [String], output: String, matches: Bool) {
        #expect(QuotedOutput(quote).matches(output) == matches)
    }

    @Test("a drifted quote is shown as a diff: - quoted, + printed")
    func drift() {
        let quote = QuotedOutput(["KIND   NAME            PHASE", "...", "Model  fraud-detector  Serving    v7"])
        let printed = "KIND   NAME            PHASE\nDataset  transactions  Validated\nModel  fraud-detector  Serving  v1\n"
        #expect(!quote.matches(printed))
        #expect(quote.diff(against: printed) == """
              KIND   NAME            PHASE
              ...
            - Model  fraud-detector  Serving    v7
            + Dataset  transactions  Validated
            + Model  fraud-detector  Serving  v1
            """)
    }

    @Test("links outside the repository, to missing files or missing headings are reported")
    func links() throws {
        let page = try String(contentsOfFile: "\(Self.fixtures)/docs/stale-page.md", encoding: .utf8)
        let problems = LinkChecker.problems(in: page, file: "docs/stale-page.md", root: Self.fixtures)
        #expect(problems.map(\.source) == ["docs/stale-page.md:3", "docs/stale-page.md:4"])
        #expect(problems[0].message.contains("../../shared/DESIGN.md points outside the repository"))
        #expect(problems[1].message.contains("has no heading #no-such-heading"))
    }

    @Test("commands outside console blocks and a skip without a reason are reported")
    func convention() throws {
        let page = try String(contentsOfFile: "\(Self.fixtures)/docs/stale-page.md", encoding: .utf8)
        let problems = MarkdownExamples.parse(page, file: "stale-page.md").problems
        #expect(problems.map(\.source) == ["stale-page.md:6", "stale-page.md:11"])
    }

    @Test("a help example wrapped at 80 columns is told apart from the whole one")
    func wrappedHelp() {
        let wide = "Examples:\n  sextant promote fraud-detector --server http://127.0.0.1:7070 --token-file /etc/sextant/api-token\n\nUSAGE: x\n"
        let narrow = "Examples:\n  sextant promote fraud-detector --server http://127.0.0.1:7070 --token-file\n/etc/sextant/api-token\n\nUSAGE: x\n"
        #expect(HelpExamples.lines(in: narrow) != HelpExamples.lines(in: wide))
        #expect(HelpExamples.commands(in: wide, command: "promote").map(\.text)
            == ["sextant promote fraud-detector --server http://127.0.0.1:7070 --token-file /etc/sextant/api-token"])
    }

    @Test("each stale example of issue 16 fails the docs test",
          .enabled(if: DocSession.isAvailable, "needs root, unshare, nsenter and ip (see DocsRunTests)"),
          .timeLimit(.minutes(5)))
    func staleExamplesFail() async throws {
        let page = try String(contentsOfFile: "\(Self.fixtures)/stale-commands.md", encoding: .utf8)
        let blocks = MarkdownExamples.parse(page, file: "stale-commands.md").blocks
        let session = try await DocSession()
        let setup = DocCommand(source: "setup", text: "sextant reconcile --once --repo . --path examples/quickstart", quotedOutput: [])
        #expect(try await session.failures(of: DocBlock(source: "setup", commands: [setup])).isEmpty)
        var failures: [[String]] = []
        for block in blocks { failures.append(try await session.failures(of: block)) }
        _ = try? await session.failures(of: DocBlock(source: "teardown", commands: [DocCommand(source: "teardown", text: "sextant down", quotedOutput: [])]))
        #expect(failures.count == 6)
        #expect(failures[0].first?.contains("stale-commands.md:6: $ sextant train") == true)
        #expect(failures[0].first?.contains("exited with status") == true)
        #expect(failures[1].first?.contains("exited with status") == true)
        #expect(failures[2].last?.contains("$ curl") == true)
        #expect(failures[3].first?.contains("exited with status") == true)
        #expect(failures[4].first?.contains("$ sextant validate --repo . --ref HEAD -o github") == true)
        #expect(failures[4].first?.contains("exited with status") == true)
        #expect(failures[5].first?.contains("no longer matches the quote") == true)
        #expect(failures[5].first?.contains("- Model  fraud-detector  Synced  Healthy  Serving    v7") == true)
        print(failures.flatMap { $0 }.joined(separator: "\n\n"))
    }
}
