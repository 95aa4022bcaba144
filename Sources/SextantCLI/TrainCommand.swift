import ArgumentParser
import Foundation
import SextantCore
import SextantML

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a built-in model on a CSV file, here and now, and report its holdout metrics.",
        discussion: """
            Runs a built-in trainer exactly as the reconciler will: the split of DESIGN §2
            (SplitMix64, stratified for classifiers), features standardised (numbers and
            booleans) or one-hot encoded (text) on the training rows, the mean loss plus
            (l2/2)·‖w‖² minimised to convergence. Column types come from the data: a column
            whose values are all true/false is boolean, all numbers is numeric, anything
            else is text. Writes the model file (format sextant.model/v1) with --output.

            Examples:
              sextant train --data examples/quickstart/data/transactions.csv \\
                  --target is_fraud --features amount,hour,merchant_risk,account_age_days
              sextant train --data examples/quickstart/data/transactions.csv \\
                  --target is_fraud --features amount,hour --l2 0.01 --seed 42 \\
                  --output model/ -f json
            """
    )

    @Option(help: ArgumentHelp("The CSV file (a header row, then one row per example).", valueName: "file"))
    var data: String

    @Option(help: ArgumentHelp("The column to predict.", valueName: "column"))
    var target: String

    @Option(help: ArgumentHelp("logistic-regression, softmax-regression or linear-regression.", valueName: "trainer"))
    var trainer: String = BuiltinTrainer.logisticRegression.rawValue

    @Option(help: ArgumentHelp("Comma-separated feature columns (default: every column but the target).", valueName: "columns"))
    var features: String?

    @Option(help: ArgumentHelp("L2 penalty (default 1/n for n training rows).", valueName: "number"))
    var l2: Double?

    @Option(help: ArgumentHelp("Newton iterations at most.", valueName: "count"))
    var maxIterations: Int = 100

    @Option(help: ArgumentHelp("Convergence: the gradient's largest component.", valueName: "number"))
    var tolerance: Double = 1e-6

    @Option(help: ArgumentHelp("Share of rows held out for evaluation.", valueName: "fraction"))
    var holdout: Double = 0.2

    @Option(help: ArgumentHelp("Seed of the split.", valueName: "number"))
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("Write model.json into this directory.", valueName: "dir"))
    var output: String?

    @Option(name: .shortAndLong, help: "text or json.")
    var format: TrainOutput = .text

    func validate() throws {
        guard BuiltinTrainer(rawValue: trainer) != nil else {
            throw ValidationError("--trainer \(trainer) is not one of \(BuiltinTrainer.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard holdout > 0, holdout < 1 else { throw ValidationError("--holdout \(holdout) must be between 0 and 1") }
        if let l2, l2 < 0 { throw ValidationError("--l2 \(l2) must be 0 or more") }
        guard maxIterations > 0 else { throw ValidationError("--max-iterations must be at least 1") }
    }

    func run() throws {
        let builtin = BuiltinTrainer(rawValue: trainer)!
        guard let bytes = FileManager.default.contents(atPath: data) else {
            throw CommandFailure(message: "--data \(data): cannot read the file")
        }
        let table: CSVTable
        do throws(CSVError) {
            table = try CSVTable(Array(bytes))
        } catch {
            throw CommandFailure(message: "\(data):\(error.line): \(error.message)", exitCode: 1)
        }
        guard table.columnIndex(target) != nil else {
            throw CommandFailure(message: "--target \(target) is not a column of \(data) (\(table.header.joined(separator: ", ")))")
        }
        let names = features.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? table.header.filter { $0 != target }
        for name in names where table.columnIndex(name) == nil {
            throw CommandFailure(message: "--features: \(name) is not a column of \(data) (\(table.header.joined(separator: ", ")))")
        }
        let specs = names.map { FeatureSpec(name: $0, type: ColumnType.infer(table, column: $0)) }
        let targetType = builtin == .linearRegression ? ColumnType.number : ColumnType.infer(table, column: target)

        let report: TrainingRun
        do throws(TrainingError) {
            report = try TrainingRun.run(table, trainer: builtin, target: target, targetType: targetType, features: specs,
                                         l2: l2, maxIterations: maxIterations, tolerance: tolerance, holdout: holdout, seed: seed)
        } catch {
            throw CommandFailure(message: error.message, exitCode: 1)
        }
        if let output {
            do {
                try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
                try report.model.encoded().write(to: URL(fileURLWithPath: output + "/model.json"))
            } catch {
                throw CommandFailure(message: "--output \(output): \(error.localizedDescription)")
            }
        }
        print(format == .json ? report.json() : report.text(output: output), terminator: "")
    }
}

enum TrainOutput: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

extension ColumnType {
    /// A column's type from its values: boolean if every value is true/false, number if
    /// every value is a number, text otherwise.
    static func infer(_ table: CSVTable, column: String) -> ColumnType {
        guard let index = table.columnIndex(column) else { return .string }
        var boolean = true, number = true
        for row in 0..<table.rowCount {
            guard let text = table.text(row: row, column: index) else { continue }
            if boolean, ColumnType.boolean.parse(text) == nil || text == "0" || text == "1" { boolean = false }
            if number, ColumnType.number.parse(text) == nil { number = false }
            if !boolean && !number { return .string }
        }
        return boolean ? .boolean : number ? .number : .string
    }
}

/// One training with its holdout evaluation.
struct TrainingRun {
    var model: TrainedModel
    var rows: (train: Int, holdout: Int)
    var seconds: Double
    var metrics: [MetricValue]

    static func run(_ table: CSVTable, trainer: BuiltinTrainer, target: String, targetType: ColumnType, features: [FeatureSpec],
                    l2: Double?, maxIterations: Int, tolerance: Double, holdout: Double, seed: UInt64) throws(TrainingError) -> TrainingRun {
        let labels = try ModelTrainer.labels(table, target: target, type: targetType)
        let present = (0..<table.rowCount).filter { labels[$0] != nil }
        let split = Split(count: present.count, holdout: holdout, seed: seed,
                          labels: trainer == .linearRegression ? nil : present.map { labels[$0]! })
        let train = split.train.map { present[$0] }, held = split.holdout.map { present[$0] }
        let columns = try ModelTrainer.columns(table, features)
        // Timed: what training costs once the data is in memory (preprocessing fitted on the
        // training rows, the design matrix, the solver), as scikit-learn's fit is timed.
        let started = ContinuousClock.now
        let model = try ModelTrainer.train(columns: columns, targets: labels, TrainingSpec(
            trainer: trainer, target: target, targetType: targetType, features: features, l2: l2, maxIterations: maxIterations,
            tolerance: tolerance, trainRows: train))
        let elapsed = ContinuousClock.now - started
        let predictions = ModelTrainer.predict(model, columns: columns, rows: held)
        let truth = held.map { labels[$0]! }
        let metrics = TaskMetrics(task: trainer.task, classes: model.classes ?? [], truth: truth, labels: nil, scores: predictions.outputs).values
        return TrainingRun(model: model, rows: (train.count, held.count), seconds: elapsed.seconds, metrics: metrics)
    }

    func text(output: String?) -> String {
        let report = model.training
        var lines = [
            "\(model.trainer.rawValue) on \(rows.train) rows, \(model.preprocessing.width) inputs from \(model.preprocessing.features.count) features; l2 \(model.hyperparameters.l2)",
            "\(report.converged ? "converged" : "NOT converged") after \(report.iterations) iteration\(report.iterations == 1 ? "" : "s") in \(String(format: "%.3f", seconds)) s: objective \(report.objective), gradient \(String(format: "%.1e", report.gradientNorm))",
            "holdout (\(rows.holdout) rows):",
        ]
        lines += MetricLines.text(metrics)
        if let output { lines.append("model written to \(output)/model.json") }
        return lines.joined(separator: "\n") + "\n"
    }

    func json() -> String {
        struct Document: Encodable {
            var trainer: String
            var trainRows: Int
            var holdoutRows: Int
            var seconds: Double
            var training: ConvergenceReport
            var metrics: [String: Double?]
        }
        let document = Document(trainer: model.trainer.rawValue, trainRows: rows.train, holdoutRows: rows.holdout, seconds: seconds,
                                training: model.training, metrics: MetricLines.json(metrics))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try! encoder.encode(document), as: UTF8.self) + "\n"
    }
}
