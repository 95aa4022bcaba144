/// A feature's raw value in one row, before preprocessing.
package enum FeatureValue: Sendable, Hashable {
    case number(Double)
    case text(String)
    case missing
}

/// How one feature becomes model inputs, learnt on the training rows and stored with the
/// model, so serving applies exactly the same transform.
///
/// * `numeric` (numbers, integers, booleans as 0/1): `(x − mean) / scale` with the training
///   rows' mean and population standard deviation (a constant column has scale 1); a
///   missing value becomes the mean, i.e. 0.
/// * `categorical` (text): one 0/1 input per category — the categories of the training rows
///   and the contract's `validValues`, sorted. A missing value or a category never seen in
///   training is all zeros (counted by `transform` so serving can report it). `shares` holds
///   the share of training rows in each category (the mean of its input, which exact linear
///   SHAP takes as its reference); model files written before it was stored lack it.
package struct FeatureTransform: Codable, Sendable, Hashable {
    package enum Kind: String, Codable, Sendable {
        case numeric, categorical
    }

    package var name: String
    package var kind: Kind
    package var mean: Double?
    package var scale: Double?
    package var categories: [String]?
    /// Per category (in `categories` order), the share of training rows holding it.
    package var shares: [Double]?

    /// How many model inputs the feature becomes.
    package var width: Int { kind == .numeric ? 1 : (categories?.count ?? 0) }
}

/// The raw column of a feature, over every row of the table.
package enum FeatureColumn: Sendable {
    case numeric(name: String, values: [Double?])
    /// Text values, and categories the contract declares (`validValues`).
    case categorical(name: String, values: [String?], declared: [String])

    var name: String {
        switch self {
        case .numeric(let name, _), .categorical(let name, _, _): name
        }
    }

    func value(at row: Int) -> FeatureValue {
        switch self {
        case .numeric(_, let values): values[row].map(FeatureValue.number) ?? .missing
        case .categorical(_, let values, _): values[row].map(FeatureValue.text) ?? .missing
        }
    }
}

extension FeatureTransform {
    /// Learns the transform from the training rows only.
    static func fit(_ column: FeatureColumn, rows: [Int]) -> FeatureTransform {
        switch column {
        case .numeric(let name, let values):
            var sum = 0.0, count = 0.0
            for row in rows { if let value = values[row] { sum += value; count += 1 } }
            let mean = count > 0 ? sum / count : 0
            var squares = 0.0
            for row in rows { if let value = values[row] { squares += (value - mean) * (value - mean) } }
            let deviation = count > 0 ? (squares / count).squareRoot() : 0
            return FeatureTransform(name: name, kind: .numeric, mean: mean, scale: deviation > 1e-12 ? deviation : 1, categories: nil, shares: nil)
        case .categorical(let name, let values, let declared):
            var counts = Dictionary(declared.map { ($0, 0) }, uniquingKeysWith: { first, _ in first })
            for row in rows { if let value = values[row] { counts[value, default: 0] += 1 } }
            let categories = counts.keys.sorted()
            let shares = categories.map { Double(counts[$0]!) / Double(max(1, rows.count)) }
            return FeatureTransform(name: name, kind: .categorical, mean: nil, scale: nil, categories: categories, shares: shares)
        }
    }

    /// Appends the feature's inputs for one value; returns false for an unseen category.
    @discardableResult
    func append(_ value: FeatureValue, to inputs: inout [Double]) -> Bool {
        switch kind {
        case .numeric:
            switch value {
            case .number(let number): inputs.append((number - (mean ?? 0)) / (scale ?? 1))
            case .text(let text): inputs.append(((Double(text) ?? mean ?? 0) - (mean ?? 0)) / (scale ?? 1))
            case .missing: inputs.append(0)
            }
            return true
        case .categorical:
            let categories = self.categories ?? []
            let start = inputs.count
            inputs.append(contentsOf: repeatElement(0, count: categories.count))
            guard case .text(let text) = value else { return true }
            guard let index = categories.firstIndex(of: text) else { return false }
            inputs[start + index] = 1
            return true
        }
    }
}

/// Every feature's transform, in order: the model's input layout.
package struct Preprocessor: Codable, Sendable, Hashable {
    package var features: [FeatureTransform]

    package var width: Int { features.reduce(0) { $0 + $1.width } }

    static func fit(_ columns: [FeatureColumn], rows: [Int]) -> Preprocessor {
        Preprocessor(features: columns.map { FeatureTransform.fit($0, rows: rows) })
    }

    /// The design matrix of some rows (row-major, `rows.count × width`), filled column by
    /// column so each column's values are unwrapped once.
    func matrix(_ columns: [FeatureColumn], rows: [Int]) -> [Double] {
        let width = self.width
        var inputs = [Double](repeating: 0, count: rows.count * width)
        var offset = 0
        inputs.withUnsafeMutableBufferPointer { inputs in
            for (transform, column) in zip(features, columns) {
                switch column {
                case .numeric(_, let values):
                    let mean = transform.mean ?? 0, scale = transform.scale ?? 1
                    for (position, row) in rows.enumerated() {
                        inputs[position * width + offset] = values[row].map { ($0 - mean) / scale } ?? 0
                    }
                case .categorical(_, let values, _):
                    let index = Dictionary(uniqueKeysWithValues: (transform.categories ?? []).enumerated().map { ($1, $0) })
                    for (position, row) in rows.enumerated() {
                        if let value = values[row], let category = index[value] { inputs[position * width + offset + category] = 1 }
                    }
                }
                offset += transform.width
            }
        }
        return inputs
    }

    /// One row's inputs; `unseen` counts categories the model never saw.
    package func transform(_ values: [FeatureValue], unseen: inout Int) -> [Double] {
        var inputs: [Double] = []
        inputs.reserveCapacity(width)
        for (transform, value) in zip(features, values) where !transform.append(value, to: &inputs) {
            unseen += 1
        }
        return inputs
    }
}
