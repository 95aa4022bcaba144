/// The kinds of manifest Sextant reads, in the order status lists them.
package enum ManifestKind: String, Sendable, Hashable, CaseIterable, Comparable, Codable, CustomStringConvertible {
    case model = "Model"
    case dataset = "Dataset"
    case dataContract = "DataContract"
    case slo = "SLO"
    case rolloutPolicy = "RolloutPolicy"

    /// Sextant's own API group version.
    package static let sextantAPIVersion = "sextant.dev/v1alpha1"
    /// The OpenSLO version read for `SLO`.
    package static let openSLOAPIVersion = "openslo/v1"
    /// The ODCS versions read for `DataContract`.
    package static let odcsAPIVersions = ["v3.0.0", "v3.0.1", "v3.0.2", "v3.1.0"]

    /// The `apiVersion` values a manifest of this kind may carry.
    package var apiVersions: [String] {
        switch self {
        case .model, .dataset, .rolloutPolicy: [Self.sextantAPIVersion]
        case .dataContract: Self.odcsAPIVersions
        case .slo: [Self.openSLOAPIVersion]
        }
    }

    /// True for the kinds whose format Sextant defines (unknown fields are errors).
    package var isSextantKind: Bool { apiVersions == [Self.sextantAPIVersion] }

    package var description: String { rawValue }

    package static func < (lhs: ManifestKind, rhs: ManifestKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
