import SextantYAML

// `Dataset` read by hand from its node (see `Model+Reading.swift`).

extension Dataset {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            apiVersion: try fields.required("apiVersion") { try $0.string() },
            kind: try fields.required("kind") { try $0.string() },
            metadata: try fields.required("metadata") { try ObjectMeta(reading: $0) },
            spec: try fields.required("spec") { try DatasetSpec(reading: $0) })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension DatasetSpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            source: try fields.required("source") { try DatasetSource(reading: $0) },
            sha256: fields.optional("sha256") { try $0.string() },
            contract: try fields.required("contract") { try $0.string() },
            table: fields.optional("table") { try $0.string() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension DatasetSource {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            path: fields.optional("path") { try $0.string() },
            uri: fields.optional("uri") { try $0.string() },
            format: fields.optional("format") { try $0.value() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}
