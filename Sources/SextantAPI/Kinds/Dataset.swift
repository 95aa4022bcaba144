/// A dataset and the contract its data must meet. `kind: Dataset`.
public struct Dataset: Decodable, Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var metadata: ObjectMeta
    public var spec: DatasetSpec

    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiVersion, kind, metadata, spec
    }
}

public struct DatasetSpec: Codable, Sendable, Hashable {
    public var source: DatasetSource
    /// The expected SHA-256 of the data (64 hex); a mismatch blocks training.
    public var sha256: String?
    /// A `DataContract`, by ODCS `id` or `name`.
    public var contract: String
    /// Which `schema` entry of the contract; default the only one.
    public var table: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case source, sha256, contract, table
    }
}

public struct DatasetSource: Codable, Sendable, Hashable {
    /// A file under the watched root, read from the commit.
    public var path: String?
    /// A `file://` URI outside the repository (under the daemon's `--data-root`).
    public var uri: String?
    public var format: DataFormat?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case path, uri, format
    }
}

public enum DataFormat: String, ManifestEnum {
    case csv
}
