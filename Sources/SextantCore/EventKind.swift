/// What an event is about (its `kind` field): a manifest's kind, the followed branch, the
/// gateway or the store. `sextant events --kind` and `GET /api/v1/events?kind=` take these.
public enum EventKind: String, Sendable, Hashable, CaseIterable {
    case model = "Model"
    case dataset = "Dataset"
    case dataContract = "DataContract"
    case slo = "SLO"
    case rolloutPolicy = "RolloutPolicy"
    case repository = "Repository"
    case gateway = "Gateway"
    case store = "Store"

    /// A kind as people type it: `model`, `Model` and `MODEL` are one.
    public init?(parsing text: String) {
        guard let kind = Self.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else { return nil }
        self = kind
    }

    /// `Model, Dataset, …, Store`, for messages that list what is allowed.
    public static var allowed: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
