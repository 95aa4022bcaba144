import ArgumentParser
import Foundation
import SextantCore
import SextantML

struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Compute Sextant's binary classification metrics from a CSV of predictions.",
        discussion: """
            Scores predictions made anywhere (an external model, a notebook) exactly as
            Sextant's gates do: accuracy, precision, recall, f1 (threshold 0.5), auc, prAuc
            and logLoss, and with --sensitive the fairness metrics per group.

            Examples:
              sextant metrics --predictions examples/quickstart/requests/scored.csv \\
                  --truth is_fraud --score p_fraud
              sextant metrics --predictions examples/quickstart/requests/scored.csv \\
                  --truth is_fraud --score p_fraud --sensitive region -f json
            """
    )

    @Option(help: ArgumentHelp("CSV with a label column and a score column.", valueName: "file"))
    var predictions: String

    @Option(help: ArgumentHelp("The true label: true/false or 1/0.", valueName: "column"))
    var truth: String

    @Option(help: ArgumentHelp("The predicted probability of the positive class.", valueName: "column"))
    var score: String

    @Option(help: ArgumentHelp("A sensitive column for the fairness metrics.", valueName: "column"))
    var sensitive: String?

    @Option(name: .shortAndLong, help: "text or json.")
    var format: TrainOutput = .text

    func run() throws {
        guard let bytes = FileManager.default.contents(atPath: predictions) else {
            throw CommandFailure(message: "--predictions \(predictions): cannot read the file")
        }
        let table: CSVTable
        do throws(CSVError) {
            table = try CSVTable(Array(bytes))
        } catch {
            throw CommandFailure(message: "\(predictions):\(error.line): \(error.message)", exitCode: 1)
        }
        func column(_ name: String, _ flag: String) throws -> Int {
            guard let index = table.columnIndex(name) else {
                throw CommandFailure(message: "\(flag) \(name) is not a column of \(predictions) (\(table.header.joined(separator: ", ")))")
            }
            return index
        }
        let truthColumn = try column(truth, "--truth"), scoreColumn = try column(score, "--score")
        let groupColumn = try sensitive.map { try column($0, "--sensitive") }
        var truths: [String] = [], scores: [[Double]] = [], groups: [String] = []
        truths.reserveCapacity(table.rowCount)
        scores.reserveCapacity(table.rowCount)
        for row in 0..<table.rowCount {
            guard let label = table.text(row: row, column: truthColumn).flatMap({ ColumnType.boolean.parse($0) }),
                  let value = table.text(row: row, column: scoreColumn).flatMap(Double.init) else {
                throw CommandFailure(message: "\(predictions):\(table.line(ofRow: row)): \(truth) must be true/false or 1/0 and \(score) a number", exitCode: 1)
            }
            truths.append(label == .boolean(true) ? "true" : "false")
            scores.append([1 - value, value])
            if let groupColumn { groups.append(table.text(row: row, column: groupColumn) ?? "") }
        }
        let started = ContinuousClock.now
        let metrics = TaskMetrics(task: .binaryClassification, classes: ["false", "true"], truth: truths, labels: nil, scores: scores)
        var results = metrics.values
        if sensitive != nil { results += metrics.fairness(sensitive: groups) }
        let seconds = (ContinuousClock.now - started).seconds
        if format == .json {
            struct Document: Encodable {
                var rows: Int
                var seconds: Double
                var metrics: [String: Double?]
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let document = Document(rows: table.rowCount, seconds: seconds, metrics: MetricLines.json(results))
            print(String(decoding: try! encoder.encode(document), as: UTF8.self))
        } else {
            print("\(table.rowCount) predictions, computed in \(String(format: "%.3f", seconds)) s:")
            for line in MetricLines.text(results) { print(line) }
        }
    }
}
