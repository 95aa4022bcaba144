import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SextantAPI
import SextantCore
import SextantStore

/// Where an operator decision goes: the state store (`--state-dir`), or a daemon's API
/// (`--server`, with its bearer token).
struct DecisionOptions: ParsableArguments {
    @Argument(help: "The model's name.")
    var model: String

    @Option(help: ArgumentHelp("The state directory of the daemon or `reconcile --once`.", valueName: "dir"))
    var stateDir: String = ".sextant"

    @Option(help: ArgumentHelp("A daemon's API instead of a state directory, e.g. http://127.0.0.1:7070.", valueName: "url"))
    var server: String?

    @Option(help: ArgumentHelp("A file holding the daemon's API token (--api-token-file of `run`).", valueName: "file"))
    var tokenFile: String?

    var actor: String { ProcessInfo.processInfo.environment["USER"].map { "user:\($0)" } ?? "user" }

    /// Queues the decision; returns what to print.
    /// - Parameter version: `rollback --to vN`.
    func send(_ decision: OperatorDecision, version: Int? = nil) async throws -> String {
        if let server {
            return try await post(decision, version: version, to: server)
        }
        do {
            let status = try SQLiteStore(readingFrom: stateDir).status()
            let models = status?.objects.filter { $0.kind == .model }.map(\.name) ?? []
            guard models.contains(model) else {
                throw CommandFailure(message: "no model \(model) in the status of \(stateDir)" + UnknownName.hint(model, known: models, listing: "sextant status"))
            }
            try SQLiteStore(directory: stateDir).queue(OperatorRequest(decision: decision, model: model, actor: actor, time: Date(), version: version))
        } catch let error as StoreError {
            throw CommandFailure(message: error.message)
        }
        return "\(decision) of \(model) queued: the next pass (the daemon's, or `sextant reconcile --once`) takes it"
    }

    private func post(_ decision: OperatorDecision, version: Int?, to server: String) async throws -> String {
        var request = HTTPClientRequest(url: server.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/api/v1/models/\(model)/\(decision.rawValue)"
                                        + (version.map { "?to=\($0)" } ?? ""))
        request.method = .POST
        request.headers.add(name: "X-Sextant-Actor", value: actor)
        if let tokenFile {
            let token = try RunCommand.secret(from: tokenFile, flag: "--token-file")
            request.headers.add(name: "Authorization", value: "Bearer \(String(decoding: token, as: UTF8.self))")
        }
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await CommandHTTPClient.shared.execute(request, timeout: .seconds(10))
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw CommandFailure(message: ConnectionFailure.message(error, url: server, peer: .daemon))
        }
        let answer = (try? JSONDecoder().decode([String: String].self, from: Data(body.readableBytesView))) ?? [:]
        guard response.status == .accepted else {
            throw CommandFailure(message: "--server \(server): HTTP \(response.status.code): \(answer["error"] ?? String(buffer: body))")
        }
        return answer["status"] ?? "\(decision) of \(model) queued"
    }
}

struct PromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Move a paused or running canary on to its next step (after the last: promotion).",
        discussion: """
            A `pause: {}` step waits for this; an inconclusive step with `inconclusive:
            pause` too. On any other step it ends the step now, whatever its samples say.
            Recorded as an event with your user name.

            Examples:
              sextant promote fraud-detector
              sextant promote fraud-detector --server http://127.0.0.1:7070 \\
                  --token-file /etc/sextant/api-token
            """
    )

    @OptionGroup var options: DecisionOptions

    func run() async throws {
        print(try await options.send(.promote))
    }
}

struct AbortCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abort",
        abstract: "Abort a model's rollout: all traffic back to the stable revision at once.",
        discussion: """
            The candidate revision is marked RolloutAborted and is not rolled out again
            until Git changes it or `sextant retry`. Recorded as an event with your user
            name.

            Examples:
              sextant abort fraud-detector
              sextant abort fraud-detector --server http://127.0.0.1:7070 \\
                  --token-file /etc/sextant/api-token
            """
    )

    @OptionGroup var options: DecisionOptions

    func run() async throws {
        print(try await options.send(.abort))
    }
}

struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Try a model's stopped step again (TrainingFailed, GateFailed, RolloutAborted, CrashLoop).",
        discussion: """
            A failure of the model's own making is not retried for the same inputs until
            Git changes them. After fixing what the trainer or server depended on outside
            Git (a package, a GPU, a flaky server), ask for one more attempt. The request
            is queued and taken by the next pass (the daemon's, or the next `reconcile
            --once`), and recorded as an event with your user name.

            Examples:
              sextant retry fraud-detector
              sextant retry fraud-detector --state-dir .sextant &&
                  sextant reconcile --once --repo . --path examples/quickstart
              sextant retry fraud-detector --server http://127.0.0.1:7070
            """
    )

    @OptionGroup var options: DecisionOptions

    func run() async throws {
        print(try await options.send(.retry))
    }
}

struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Propose, on a Git branch, the Model as it was when an earlier version served.",
        discussion: """
            Git stays the truth: the daemon commits on sextant/rollback/MODEL the Model's
            training and serving fields and its dataset's source and pin as they were at
            the commit that produced the version brought back (default: the previous
            stable one), pushes the branch and, with --forge, opens or updates its pull
            request. Merged, the version is not trained again and, within the rollout
            policy's rollback.window, takes the traffic without steps. The request is
            queued and taken by the daemon's next pass; `sextant events MODEL` shows
            RollbackRequested and then BranchPushed or PullRequestOpened.

            Examples:
              sextant rollback fraud-detector
              sextant rollback fraud-detector --to v2
              sextant rollback fraud-detector --to 2 --server http://127.0.0.1:7070 \\
                  --token-file /etc/sextant/api-token
            """
    )

    @OptionGroup var options: DecisionOptions

    @Option(help: ArgumentHelp("The version to bring back, e.g. v2 (default: the previous stable one's).", valueName: "vN"))
    var to: String?

    func validate() throws {
        if let to, Self.version(to) == nil {
            throw ValidationError("--to \(to) is not a version: write v2 or 2 (`sextant history \(options.model)` lists them)")
        }
    }

    func run() async throws {
        print(try await options.send(.rollback, version: to.flatMap(Self.version)))
    }

    static func version(_ text: String) -> Int? {
        Int(text.hasPrefix("v") ? String(text.dropFirst()) : text).flatMap { $0 > 0 ? $0 : nil }
    }
}
