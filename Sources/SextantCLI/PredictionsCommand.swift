import ArgumentParser
import Foundation
import SextantAPI
import SextantCore
import SextantMonitoring
import SextantStore

struct PredictionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predictions",
        abstract: "The prediction log decoded into rows: what a model was asked, what it answered, and the labels sent for it.",
        discussion: """
            Reads the gateway's prediction log in STATE/predictions/MODEL/ (and, with
            --with-feedback, the labels in STATE/feedback/MODEL/) straight from the state
            directory: it works while the daemon is down. One row per input row, with the
            columns requestId, row, time, revision, version, the features in the model's
            order, predict, proba.CLASS per class (classifiers) and, with --with-feedback,
            truth and kpi.NAME per KPI. Rows are decoded with the features and classes of
            the version of --revision, else of the revision that serves. Exchanges that
            give no rows (answers other than 200, bodies that do not decode) are counted
            on standard error.

            Examples:
              sextant predictions fraud-detector
              sextant predictions fraud-detector --since 1h -o jsonl
              sextant predictions fraud-detector --with-feedback --revision 1
              sextant predictions fraud-detector --state-dir .sextant -o jsonl |
                  head -n 5
            """
    )

    @Argument(help: "The model's name.")
    var model: String

    @Option(help: ArgumentHelp("Only rows logged within this long before now: 30m, 1h, 7d.", valueName: "duration"))
    var since: String?

    @Option(help: ArgumentHelp("Only rows this revision answered.", valueName: "n"))
    var revision: Int?

    @Flag(help: "Add the truth and kpi.NAME columns from the feedback joined to each row.")
    var withFeedback = false

    @Option(name: .shortAndLong, help: "csv or jsonl.")
    var output: PredictionsOutput = .csv

    @Option(help: ArgumentHelp("The state directory of the daemon or `reconcile --once`.", valueName: "dir"))
    var stateDir: String = ".sextant"

    func run() throws {
        let window = try sinceDuration()
        let version = try decodingVersion()
        guard let signature = version.signature else {
            throw CommandFailure(message: "\(model) v\(version.number) was trained by an older Sextant that did not record its features; "
                                 + "retrain it to read its prediction log")
        }
        var log = ProductionLog(state: stateDir, model: model, limit: .max)
        do {
            try log.readOn(signature: signature)
        } catch {
            throw CommandFailure(message: "cannot read the prediction log in \(stateDir)/predictions/\(model): \(error)")
        }
        let joined = log.joined
        let cutoff = window.map { Date().addingTimeInterval(-$0.seconds) }
        let rows = joined.rows.filter { row in
            (revision.map { row.prediction.revision == $0 } ?? true) && (cutoff.map { row.prediction.time >= $0 } ?? true)
        }
        report(log, feedbackProblems: withFeedback ? joined.problems : [], version: version.number)
        print(PredictionExport.render(rows, format: output.format, signature: signature, withFeedback: withFeedback), terminator: "")
    }

    /// `--since`, checked.
    private func sinceDuration() throws -> ManifestDuration? {
        guard let since else { return nil }
        guard let duration = ManifestDuration(since), duration.milliseconds > 0 else {
            throw CommandFailure(message: "--since \(since) is not a duration; write a number and a unit: 90s, 30m, 1h, 7d")
        }
        return duration
    }

    /// The version whose features and classes decode the log: --revision's, else the
    /// serving revision's, else the newest.
    private func decodingVersion() throws -> ModelVersion {
        let observed: StoredObservations
        do {
            observed = try SQLiteStore(readingFrom: stateDir).observed()
        } catch let error as StoreError {
            throw CommandFailure(message: error.message)
        }
        guard let registry = observed.registries[model] else {
            let known = Array(observed.registries.keys)
            throw CommandFailure(message: "no model \(model) in \(stateDir)"
                                 + (known.isEmpty ? " (nothing was trained yet)" : UnknownName.hint(model, known: known, listing: "sextant status")))
        }
        if let revision {
            guard let chosen = registry.revision(revision), let version = registry.version(chosen.version) else {
                let numbers = registry.revisions.map { "r\($0.number)" }.joined(separator: ", ")
                throw CommandFailure(message: "--revision \(revision): \(model) has no such revision (it has \(numbers.isEmpty ? "none" : numbers)); "
                                     + "`sextant history \(model)` lists them")
            }
            return version
        }
        let serving = observed.objects[ObjectKey(.model, model)]?.model?.stableRevision.flatMap(registry.revision)
        guard let version = serving.flatMap({ registry.version($0.version) }) ?? registry.versions.last else {
            throw CommandFailure(message: "\(model) has no trained version in \(stateDir) yet, so nothing was logged for it")
        }
        return version
    }

    /// What did not make it into the rows, on standard error (before the rows, so that it
    /// comes first even when the rows go through a pipe) to keep standard output clean.
    private func report(_ log: ProductionLog, feedbackProblems: [FeedbackProblem], version: Int) {
        for problem in log.problems { printError("note: \(problem)") }
        if log.undecodable > 0 {
            printError("note: \(log.undecodable) logged exchange\(log.undecodable == 1 ? "" : "s") gave no rows "
                       + "(answers other than 200, or bodies that do not decode with the features of \(model) v\(version))")
        }
        guard !feedbackProblems.isEmpty else { return }
        let reasons = FeedbackProblem.Reason.allCases.compactMap { reason -> String? in
            let count = feedbackProblems.filter { $0.reason == reason }.count
            return count == 0 ? nil : "\(count): \(Self.describe(reason))"
        }
        printError("note: \(feedbackProblems.count) feedback item\(feedbackProblems.count == 1 ? "" : "s") joined no row (\(reasons.joined(separator: "; ")))")
    }

    static func describe(_ reason: FeedbackProblem.Reason) -> String {
        switch reason {
        case .noPrediction: "no logged prediction has the id"
        case .rowOutOfRange: "a row past the request's rows"
        case .listLength: "a truth list without one value per row"
        case .singleTruthForManyRows: "one truth for a request of several rows; send a list, or give row"
        }
    }
}

enum PredictionsOutput: String, ExpressibleByArgument, CaseIterable {
    case csv, jsonl

    var format: PredictionExport.Format {
        switch self {
        case .csv: .csv
        case .jsonl: .jsonl
        }
    }
}
