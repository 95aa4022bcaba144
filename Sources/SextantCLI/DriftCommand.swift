import ArgumentParser
import Foundation
import SextantAPI
import SextantCore

struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Show a model's drift: its serving version's training rows against the newest logged rows.",
        discussion: """
            Each feature's test (Evidently's default rule, or spec.monitoring.drift.method),
            its statistic (a p-value for ks, chiSquare and zTest; a distance otherwise),
            threshold and verdict, the same test on the predict output, and the dataset's
            verdict: drift when the share of drifted features reaches driftShare. The
            daemon computes it every drift.interval for models with spec.monitoring.drift
            (or retrain.on: [drift]); this command shows the last report. Reads
            --state-dir or a daemon's API (--server), like `status`.

            Exit status: 0; 1 if the dataset drifts; 2 when no model has that name, or
            the state or the server cannot be read.

            Examples:
              sextant drift fraud-detector
              sextant drift fraud-detector --server http://127.0.0.1:7070
              sextant drift fraud-detector -o json | jq '.datasetDrift'
            """
    )

    @Argument(help: "The model's name.")
    var model: String

    @Option(name: .shortAndLong, help: "table or json.")
    var output: DriftOutput = .table

    @OptionGroup var source: StatusSource

    func run() async throws {
        let report = try await read()
        switch output {
        case .json:
            print(String(decoding: try StatusDocument.jsonEncoder(pretty: true).encode(report), as: UTF8.self))
        case .table:
            print(DriftRenderer.text(report, now: Date()), terminator: "")
        }
        if report.datasetDrift == true { throw ExitCode(1) }
    }

    private func read() async throws -> DriftReport {
        if let server = source.server {
            return try await DaemonRead.get(DriftReport.self, server: server, path: "/api/v1/models/\(model)/drift", what: "a drift report")
        }
        let document = try await source.status()
        guard let object = document.objects.first(where: { $0.kind == .model && $0.name == model }) else {
            throw NameSuggestion.noObject(named: model, in: document, modelsOnly: true, listing: "sextant status")
        }
        return object.model?.drift ?? DriftReport.absent(model: model, status: object, at: document.revision.reconciledAt ?? Date())
    }
}

/// `-o` of `drift`.
enum DriftOutput: String, ExpressibleByArgument, CaseIterable {
    case table, json
}
