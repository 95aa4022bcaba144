/// The ODCS `classification` values that make a contract column private (DESIGN §9): such a
/// column is left out of a model's default features, may be a feature only with the model's
/// `privacy.allowClassified`, and reaches the prediction log only as keyed hashes.
///
/// ODCS leaves `classification` free-form, so values compare without regard to case.
/// `--classified LIST` replaces the default, `restricted` and `confidential`.
public struct ClassifiedLevels: Sendable, Hashable, CustomStringConvertible {
    /// The values, lowercased, in the order given.
    public let values: [String]

    /// `values`, lowercased; empty ones and repeats are dropped.
    public init(_ values: some Sequence<String>) {
        var seen = Set<String>()
        self.values = values.map { $0.lowercased() }.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// `restricted` and `confidential`.
    public static let `default` = ClassifiedLevels(["restricted", "confidential"])

    /// True when a column with this classification is classified.
    public func contains(_ classification: String?) -> Bool {
        guard let classification else { return false }
        return values.contains(classification.lowercased())
    }

    /// The values as `--classified` takes them: comma-separated.
    public var description: String { values.joined(separator: ",") }
}

extension ContractProperty {
    /// This column's classification when `levels` counts it as classified.
    package func classification(in levels: ClassifiedLevels) -> String? {
        levels.contains(classification) ? classification : nil
    }
}
