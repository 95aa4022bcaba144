/// A dataset and the contract its data must meet. `kind: Dataset`.
package struct Dataset: Decodable, Sendable, Hashable {
    package var apiVersion: String
    package var kind: String
    package var metadata: ObjectMeta
    package var spec: DatasetSpec

    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiVersion, kind, metadata, spec
    }
}

package struct DatasetSpec: Codable, Sendable, Hashable {
    package var source: DatasetSource
    /// The expected SHA-256 of the data (64 hex); a mismatch blocks training.
    package var sha256: String?
    /// A `DataContract`, by ODCS `id` or `name`.
    package var contract: String
    /// Which `schema` entry of the contract; default the only one.
    package var table: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case source, sha256, contract, table
    }
}

package struct DatasetSource: Codable, Sendable, Hashable {
    /// A file under the watched root, read from the commit.
    package var path: String?
    /// A `file://` URI outside the repository (under the daemon's `--data-root`).
    package var uri: String?
    package var format: DataFormat?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case path, uri, format
    }
}

package enum DataFormat: String, ManifestEnum {
    case csv
}
