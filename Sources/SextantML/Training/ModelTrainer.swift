/// A feature as the contract declares it.
public struct FeatureSpec: Sendable, Hashable {
    package var name: String
    package var type: ColumnType
    /// The contract's `validValues` for a text column: categories even if training lacks them.
    package var categories: [String]

    public init(name: String, type: ColumnType, categories: [String] = []) {
        self.name = name
        self.type = type
        self.categories = categories
    }
}

/// What to train, on which rows.
public struct TrainingSpec: Sendable {
    package var trainer: BuiltinTrainer
    package var target: String
    package var targetType: ColumnType
    package var features: [FeatureSpec]
    /// Default `1/n` for n training rows (scikit-learn's `C = 1`, Ridge's `alpha = 1`).
    package var l2: Double?
    package var maxIterations: Int
    package var tolerance: Double
    package var trainRows: [Int]

    public init(trainer: BuiltinTrainer, target: String, targetType: ColumnType, features: [FeatureSpec], l2: Double? = nil,
                maxIterations: Int = 100, tolerance: Double = 1e-6, trainRows: [Int]) {
        self.trainer = trainer
        self.target = target
        self.targetType = targetType
        self.features = features
        self.l2 = l2
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.trainRows = trainRows
    }
}

/// Trains built-in models from CSV tables.
public enum ModelTrainer {
    /// The raw feature columns of a table.
    package static func columns(_ table: CSVTable, _ features: [FeatureSpec]) throws(TrainingError) -> [FeatureColumn] {
        var columns: [FeatureColumn] = []
        for feature in features {
            guard let index = table.columnIndex(feature.name) else {
                throw TrainingError("feature \(feature.name) is not a column of the data (\(table.header.joined(separator: ", ")))")
            }
            switch feature.type {
            case .number, .integer, .boolean:
                // Straight from the bytes: no string per value.
                let parser: ColumnType = feature.type == .boolean ? .boolean : .number
                var values = [Double?](repeating: nil, count: table.rowCount)
                table.forEachField(column: index) { row, bytes, isNull, escaped in
                    guard !isNull else { return }
                    let value = escaped ? parser.parse(CSVTable.unescape(bytes)) : parser.parse(bytes)
                    values[row] = value?.number
                }
                columns.append(.numeric(name: feature.name, values: values))
            case .string, .date, .timestamp:
                columns.append(.categorical(name: feature.name, values: (0..<table.rowCount).map { table.text(row: $0, column: index) },
                                            declared: feature.categories))
            }
        }
        return columns
    }

    /// The target of each row as a label (`true`/`false` for booleans, numbers as
    /// written canonically), or nil when missing.
    package static func labels(_ table: CSVTable, target: String, type: ColumnType) throws(TrainingError) -> [String?] {
        guard let index = table.columnIndex(target) else {
            throw TrainingError("target \(target) is not a column of the data (\(table.header.joined(separator: ", ")))")
        }
        return (0..<table.rowCount).map { row in
            guard let text = table.text(row: row, column: index) else { return nil }
            switch type {
            case .boolean: return ColumnType.boolean.parse(text).map { $0 == .boolean(true) ? "true" : "false" } ?? text
            case .number, .integer: return ColumnType.number.parse(text).flatMap(\.number).map(formatNumber) ?? text
            default: return text
            }
        }
    }

    public static func train(_ table: CSVTable, _ spec: TrainingSpec) throws(TrainingError) -> TrainedModel {
        try train(columns: try columns(table, spec.features), targets: try labels(table, target: spec.target, type: spec.targetType), spec)
    }

    /// Trains on columns already read from a table: preprocessing fitted on the training
    /// rows, then the solver.
    package static func train(columns: [FeatureColumn], targets: [String?], _ spec: TrainingSpec) throws(TrainingError) -> TrainedModel {
        let rows = spec.trainRows.filter { targets[$0] != nil }
        guard !rows.isEmpty else { throw TrainingError("no training rows have a value for the target \(spec.target)") }
        let preprocessor = Preprocessor.fit(columns, rows: rows)
        let x = preprocessor.matrix(columns, rows: rows)
        let n = rows.count, d = preprocessor.width
        let l2 = spec.l2 ?? 1 / Double(n)
        let fit: LinearFit
        var classes: [String]?
        switch spec.trainer {
        case .logisticRegression:
            let found = ClassOrder.sorted(Array(Set(rows.map { targets[$0]! })))
            guard found.count == 2 else {
                throw TrainingError("logistic-regression needs exactly 2 classes in the training rows of \(spec.target); found \(found.count) (\(found.prefix(5).joined(separator: ", ")))")
            }
            classes = found
            let y = rows.map { targets[$0] == found[1] ? 1.0 : 0.0 }
            fit = Solvers.logistic(x: x, rows: n, width: d, labels: y, l2: l2, maxIterations: spec.maxIterations, tolerance: spec.tolerance)
        case .softmaxRegression:
            let found = ClassOrder.sorted(Array(Set(rows.map { targets[$0]! })))
            guard found.count >= 2 else {
                throw TrainingError("softmax-regression needs at least 2 classes in the training rows of \(spec.target); found \(found.count)")
            }
            classes = found
            let index = Dictionary(uniqueKeysWithValues: found.enumerated().map { ($1, $0) })
            fit = Solvers.softmax(x: x, rows: n, width: d, classes: rows.map { index[targets[$0]!]! }, classCount: found.count, l2: l2,
                                  maxIterations: spec.maxIterations, tolerance: spec.tolerance)
        case .linearRegression:
            var y: [Double] = []
            for row in rows {
                guard let value = Double(targets[row]!) else {
                    throw TrainingError("linear-regression needs a numeric target; \(spec.target) holds \"\(targets[row]!)\" (data row \(row + 1))")
                }
                y.append(value)
            }
            fit = Solvers.ridge(x: x, rows: n, width: d, targets: y, l2: l2)
        }
        return TrainedModel(
            format: TrainedModel.currentFormat, task: spec.trainer.task, trainer: spec.trainer, algorithmVersion: spec.trainer.algorithmVersion,
            target: spec.target, classes: classes, preprocessing: preprocessor, weights: fit.weights, intercepts: fit.intercepts,
            hyperparameters: .init(l2: l2, maxIterations: spec.maxIterations, tolerance: spec.tolerance), training: fit.report, trainingRows: n)
    }

    /// Predictions for some rows of a table (the holdout, in evaluation).
    package static func predict(_ model: TrainedModel, _ table: CSVTable, features: [FeatureSpec], rows: [Int]) throws(TrainingError) -> Predictions {
        predict(model, columns: try columns(table, features), rows: rows)
    }

    package static func predict(_ model: TrainedModel, columns: [FeatureColumn], rows: [Int]) -> Predictions {
        model.predict(rows.map { row in columns.map { $0.value(at: row) } })
    }
}

extension Value {
    var number: Double? {
        switch self {
        case .number(let value): value
        case .boolean(let value): value ? 1 : 0
        default: nil
        }
    }
}
