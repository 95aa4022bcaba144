/// One column's values; nil = missing (dropped before testing, as Evidently does).
package enum DriftValues: Sendable, Hashable {
    case numbers([Double?])
    case categories([String?])
}

/// One feature (or the prediction) to compare: its contract type and both samples.
package struct DriftColumn: Sendable, Hashable {
    package var name: String
    /// The contract's logical type, from which the feature's kind follows.
    package var type: ColumnType
    package var reference: DriftValues
    package var current: DriftValues

    package init(name: String, type: ColumnType, reference: DriftValues, current: DriftValues) {
        self.name = name
        self.type = type
        self.reference = reference
        self.current = current
    }
}
