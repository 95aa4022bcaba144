import ArgumentParser
import Foundation
import SextantAPI
import SextantCore

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show one model in depth: its rollout's steps, pause, analysis, traffic, replicas and recent events.",
        discussion: """
            The rollout's steps with the current one marked (✔ done, ► current, ○ to
            come), how long the step has run and how much of its pause is left, each SLO
            objective's value, target and verdict on the candidate's samples, the traffic
            split with roles, every serving process, and the model's last 10 events.
            Reads --state-dir or a daemon's API (--server), like `status`. Lines fit the
            terminal (or COLUMNS). --watch redraws every 2 seconds until interrupted.

            Exit status: 0; 1 if the model is Degraded; 2 when no model has that name,
            or the state or the server cannot be read.

            Examples:
              sextant get fraud-detector
              sextant get fraud-detector --watch --server http://127.0.0.1:7070
              sextant get fraud-detector -o json | jq '.model.rollout.objectives'
            """
    )

    @Argument(help: "The model's name.")
    var model: String

    @Option(name: .shortAndLong, help: "text or json.")
    var output: GetOutput = .text

    @OptionGroup var source: StatusSource

    @Flag(help: "Redraw every 2 seconds until interrupted.")
    var watch = false

    func run() async throws {
        var events = RecentEvents(model: model)
        guard watch else {
            let detail = try await read(&events)
            print(render(detail, width: Terminal.width()), terminator: "")
            if detail.model.health == .degraded { throw ExitCode(1) }
            return
        }
        try await WatchScreen.run(every: .seconds(2)) { width in
            do {
                return render(try await read(&events), width: width)
            } catch let unknown as CommandFailure where unknown.message.hasPrefix("no model named") {
                // While watching, the model may not exist yet: the view says so and waits.
                return unknown.message + "\n"
            }
        }
    }

    private func read(_ events: inout RecentEvents) async throws -> ModelDetail {
        let document = try await source.status()
        guard let object = document.objects.first(where: { $0.kind == .model && $0.name == model }) else {
            throw NameSuggestion.noObject(named: model, in: document, modelsOnly: true, listing: "sextant status")
        }
        try await events.update(from: source)
        return ModelDetail(revision: document.revision, model: object, events: events.events)
    }

    private func render(_ detail: ModelDetail, width: Int?) -> String {
        switch output {
        case .json: detail.json
        case .text: ModelDetailRenderer.text(detail, now: Date(), width: width)
        }
    }
}

/// `-o` of `get`.
enum GetOutput: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
