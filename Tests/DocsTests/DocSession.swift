import Foundation
import SextantTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// What one command of a block printed and how it exited.
struct CommandResult: Sendable {
    var command: DocCommand
    /// nil when the block's time ran out before the command finished.
    var status: Int32?
    var output: String
}

/// A scratch Git repository holding this repository's `examples/` and `scripts/` (so
/// `--repo . --path examples/quickstart` works as the docs write it), and a private
/// network namespace in which the docs' default ports (8080, 7070, 8081) are free.
final class DocSession: Sendable {
    static let blockTimeLimit = 120

    /// The tools the session needs: entering a network namespace takes root.
    static let isAvailable: Bool = getuid() == 0
        && ["/usr/bin/unshare", "/usr/bin/nsenter", "/usr/sbin/ip", "/usr/bin/timeout", "/usr/bin/git"]
            .allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }

    let repository: GitFixture
    private let namespace: BackgroundProcess
    private let environment: [String: String]

    init() async throws {
        repository = try GitFixture()
        for folder in ["examples", "scripts"] {
            let copy = try await runProcess("/bin/cp", ["-R", "\(packageRoot)/\(folder)", repository.path])
            guard copy.status == 0 else { throw FixtureError("cp \(folder): \(copy.stderr)") }
        }
        try repository.commit("the examples")
        try repository.git("update-ref", "refs/remotes/origin/main", "HEAD")

        namespace = try BackgroundProcess("/usr/bin/unshare", ["--net", "/bin/sleep", "86400"],
                                          logPath: repository.path + "/../namespace.log")
        let ownNamespace = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/net")
        for _ in 0..<500 {
            if let theirs = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(namespace.pid)/ns/net"),
               theirs != ownNamespace { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        let loopback = try await runProcess("/usr/bin/nsenter", ["-t", "\(namespace.pid)", "-n", "/usr/sbin/ip", "link", "set", "lo", "up"])
        guard loopback.status == 0 else { throw FixtureError("ip link set lo up: \(loopback.stderr)") }

        let binaries = (sextantBinary as NSString).deletingLastPathComponent
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        environment = [
            "PATH": "\(binaries):\(path)", "HOME": repository.path, "LANG": "C.UTF-8",
            "GIT_CONFIG_NOSYSTEM": "1", "TERM": "dumb",
        ]
    }

    /// Runs a block's commands in one bash, in the scratch repository, and splits the output
    /// per command. Commands ending in `&` run in the background until the block ends
    /// (SIGTERM, then SIGKILL after 15 s); those that run until Ctrl-C get SIGTERM after a few
    /// seconds; a block that talks to the daemon gets one first.
    func run(_ block: DocBlock) async throws -> [CommandResult] {
        let commands = (DocDaemon.isNeeded(by: block) ? DocDaemon.start(for: block) : []) + block.commands
        var script = "exec 2>&1\n__docs_jobs=\n"
        for command in commands {
            let text = command.text.trimmingCharacters(in: .whitespaces)
            if text.hasSuffix("&"), !text.hasSuffix("&&") {
                // Its own session, so that the end of the block stops it and its children.
                script += "setsid bash -c \(shellQuoted(String(text.dropLast()))) </dev/null >/dev/null 2>&1 & __docs_jobs+=\" -$!\"\n"
            } else if UntilStopped.matches(command) {
                script += "timeout -k 2 \(UntilStopped.seconds) bash -c \(shellQuoted(text)) </dev/null; __docs_status=$?; case $__docs_status in 124|137) __docs_status=0;; esac; (exit $__docs_status)\n"
            } else {
                script += text + "\n"
            }
            script += "__docs_status=$?; printf '\\036%d\\036\\n' \"$__docs_status\"; (exit $__docs_status)\n"
        }
        script += """
            if [ -n "$__docs_jobs" ]; then
              kill -TERM -- $__docs_jobs 2>/dev/null
              for __docs_wait in $(seq 75); do kill -0 -- $__docs_jobs 2>/dev/null || break; sleep 0.2; done
              kill -KILL -- $__docs_jobs 2>/dev/null
            fi
            exit 0

            """
        let file = repository.path + "/../block.sh"
        try script.write(toFile: file, atomically: true, encoding: .utf8)
        let output = try await runProcess("/usr/bin/nsenter", [
            "-t", "\(namespace.pid)", "-n", "/usr/bin/timeout", "-k", "5", "\(Self.blockTimeLimit)", "/bin/bash", file,
        ], in: repository.path, environment: environment)

        var results: [CommandResult] = []
        var rest = Substring(output.stdout)
        for command in commands {
            guard let match = rest.firstMatch(of: #/\x1E(\d+)\x1E\n?/#) else {
                results.append(CommandResult(command: command, status: nil, output: String(rest)))
                rest = ""
                continue
            }
            results.append(CommandResult(command: command, status: Int32(match.output.1), output: String(rest[..<match.range.lowerBound])))
            rest = rest[match.range.upperBound...]
        }
        return results
    }

    private func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The failures of a block: a command that exits non-zero (unless the next command
    /// reads `$?`), does not finish, or prints what its quote does not match.
    func failures(of block: DocBlock) async throws -> [String] {
        let started = ContinuousClock.now
        let results = try await run(block)
        let elapsed = ContinuousClock.now - started
        if elapsed > .seconds(20) { print("docs test: \(block.source) took \(elapsed)") }
        var failures: [String] = []
        for (index, result) in results.enumerated() {
            let command = result.command
            let header = "\(command.source): $ \(command.text)"
            guard let status = result.status else {
                failures.append("\(header)\ndid not finish within \(Self.blockTimeLimit) s:\n\(result.output)")
                break
            }
            let checksStatus = index + 1 < results.count && results[index + 1].command.text.contains("$?")
            if status != 0, !checksStatus {
                failures.append("\(header)\nexited with status \(status):\n\(result.output)")
                continue
            }
            guard !command.quotedOutput.isEmpty else { continue }
            let quote = QuotedOutput(command.quotedOutput)
            if !quote.matches(result.output) {
                failures.append("\(header)\nits output no longer matches the quote (- quoted, + printed):\n\(quote.diff(against: result.output))")
            }
        }
        return failures
    }
}
