package import SextantAPI
package import SextantWire

extension DesiredModel {
    /// `spec.monitoring.log` for the gateway, defaults filled in (DESIGN §7: on by default).
    package var predictionLog: PredictionLogSettings {
        let log = model.spec.monitoring?.log
        return PredictionLogSettings(sample: log?.sample ?? 1,
                                     maxBytes: (log?.maxBytes ?? PredictionLogSpec.defaultMaxBytes).bytes,
                                     retentionSeconds: (log?.retention ?? PredictionLogSpec.defaultRetention).milliseconds / 1000,
                                     hashedInputs: hashedInputs)
    }

    /// The inputs the prediction log hashes (DESIGN §9): every classified column of the
    /// contract table, whether the model uses it or not (a client may send it anyway, and
    /// rejected requests are logged too); nil when the table has none.
    package var hashedInputs: HashedInputs? {
        let classified = contractColumns.filter(\.classified)
        guard !classified.isEmpty else { return nil }
        return HashedInputs(names: classified.map(\.name), features: features.map(\.name), columns: contractColumns.map(\.name),
                            numeric: classified.filter(\.logicalType.isNumeric).map(\.name))
    }

    /// The type feedback labels must have: the target's, dates and timestamps as text.
    package var feedbackTarget: TargetType {
        switch targetType {
        case .boolean: .boolean
        case .integer: .integer
        case .number: .number
        case .string, .date, .timestamp: .string
        }
    }
}

/// One column of a model's contract table, as the prediction log sees it.
package struct ContractColumn: Sendable, Hashable {
    package var name: String
    package var logicalType: LogicalType
    /// Its ODCS `classification` is one the state counts as classified.
    package var classified: Bool

    package init(name: String, logicalType: LogicalType, classified: Bool) {
        self.name = name
        self.logicalType = logicalType
        self.classified = classified
    }
}
