package import SextantAPI

/// What an event is about (its `kind` field): a manifest's kind, the followed branch, the
/// gateway or the store. `sextant events --kind` and `GET /api/v1/events?kind=` take these.
package enum EventKind: OpenStringEnum {
    case model
    case dataset
    case dataContract
    case slo
    case rolloutPolicy
    case repository
    case gateway
    case store
    /// A kind written by a newer version.
    case unknown(String)

    package static let allCases: [EventKind] = [.model, .dataset, .dataContract, .slo, .rolloutPolicy, .repository, .gateway, .store]

    package var rawValue: String {
        switch self {
        case .model: "Model"
        case .dataset: "Dataset"
        case .dataContract: "DataContract"
        case .slo: "SLO"
        case .rolloutPolicy: "RolloutPolicy"
        case .repository: "Repository"
        case .gateway: "Gateway"
        case .store: "Store"
        case .unknown(let kind): kind
        }
    }

    /// The events of an object of this manifest kind.
    package init(_ kind: ManifestKind) {
        self = switch kind {
        case .model: .model
        case .dataset: .dataset
        case .dataContract: .dataContract
        case .slo: .slo
        case .rolloutPolicy: .rolloutPolicy
        }
    }

    /// A kind as people type it: `model`, `Model` and `MODEL` are one.
    package init?(parsing text: String) {
        guard let kind = Self.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else { return nil }
        self = kind
    }

    /// `Model, Dataset, …, Store`, for messages that list what is allowed.
    package static var allowed: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
