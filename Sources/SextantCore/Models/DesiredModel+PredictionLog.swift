import SextantAPI
package import SextantWire

extension DesiredModel {
    /// `spec.monitoring.log` for the gateway, defaults filled in (DESIGN §7: on by default).
    package var predictionLog: PredictionLogSettings {
        let log = model.spec.monitoring?.log
        return PredictionLogSettings(sample: log?.sample ?? 1,
                                     maxBytes: (log?.maxBytes ?? PredictionLogSpec.defaultMaxBytes).bytes,
                                     retentionSeconds: (log?.retention ?? PredictionLogSpec.defaultRetention).milliseconds / 1000,
                                     hashedInputs: classifiedFeatures.isEmpty ? nil
                                         : HashedInputs(names: classifiedFeatures.map(\.column), features: features.map(\.name)))
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
