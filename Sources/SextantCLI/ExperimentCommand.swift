import ArgumentParser
import Foundation
import SextantAPI
import SextantCore
import SextantDaemon

struct ExperimentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Show a model's A/B experiment on a business KPI: each arm's numbers and the decision.",
        discussion: """
            A RolloutPolicy with strategy: experiment sends a share of assignment units
            to the candidate and compares it with the stable revision on a KPI sent as
            feedback (`kpi.NAME`). This command shows the running experiment, else the
            last one that decided: each arm's units, KPI values, mean and standard
            deviation, the difference candidate - stable with its fixed-horizon 95%
            interval and p-value, the always-valid interval the decision uses when
            sequential, and the decision. -o json prints the report the API answers
            (GET /api/v1/models/MODEL/experiment). Reads --state-dir or a daemon's API
            (--server), like `status`. See docs/experiments.md.

            Exit status: 0, also when the model has no experiment (it says so); 2 when
            no model has that name, or the state or the server cannot be read.

            Examples:
              sextant experiment fraud-detector
              sextant experiment fraud-detector --server http://127.0.0.1:7070
              sextant experiment fraud-detector -o json | jq '.decision'
            """
    )

    @Argument(help: "The model's name.")
    var model: String

    @Option(name: .shortAndLong, help: "table or json.")
    var output: ExperimentOutput = .table

    @OptionGroup var source: StatusSource

    func run() async throws {
        switch try await read() {
        case .found(let report):
            switch output {
            case .json: print(try ExperimentRenderer.json(report))
            case .table: print(ExperimentRenderer.text(report, now: Date()), terminator: "")
            }
        case .absent(let message):
            // Not an error: the model exists and simply runs no experiment. JSON readers get
            // `null` on standard output, people the reason.
            if output == .json {
                print("null")
                printError("note: \(message)")
            } else {
                print(message)
            }
        }
    }

    private func read() async throws -> DaemonRead.Answer<ExperimentReport> {
        if let server = source.server {
            return try await DaemonRead.get(ExperimentReport.self, server: server, path: "/api/v1/models/\(model)/experiment",
                                            what: "an experiment report", absentReason: MissingExperiment.reason)
        }
        let document = try await source.status()
        guard let object = document.objects.first(where: { $0.kind == .model && $0.name == model }) else {
            throw NameSuggestion.noObject(named: model, in: document, modelsOnly: true, listing: "sextant status")
        }
        if let report = object.model?.experiment { return .found(report) }
        return .absent(message: MissingExperiment.message(for: object))
    }
}

/// `-o` of `experiment`.
enum ExperimentOutput: String, ExpressibleByArgument, CaseIterable {
    case table, json
}
