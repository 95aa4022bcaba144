import Foundation
import Testing
import SextantAPI
import SextantTestSupport

/// ODCS `classification` and `privacy.allowClassified` (DESIGN §9): a classified column is
/// kept out of the default features and is a feature only with an allowance; every
/// diagnostic names its file, line and column.
@Suite struct PrivacyValidationTests {
    static let contract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: urn:datacontract:tx
        version: 1.0.0
        status: active
        name: tx
        schema:
          - name: tx
            properties:
              - {name: id, logicalType: string, primaryKey: true}
              - {name: amount, logicalType: number}
              - {name: postcode, logicalType: integer, classification: confidential}
              - {name: region, logicalType: integer, classification: Restricted}
              - {name: segment, logicalType: integer, classification: internal}
              - {name: hour, logicalType: integer}
              - {name: label, logicalType: boolean}

        """

    static let dataset = """
        apiVersion: sextant.dev/v1alpha1
        kind: Dataset
        metadata: {name: tx}
        spec:
          source: {path: data/tx.csv}
          contract: tx

        """

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// The model's `features:` line (line 8), or an empty line to omit it.
        var features: String
        /// The model's lines from line 10 on (`privacy:` and what follows), or nothing.
        var privacy = ""
        var classified = ClassifiedLevels.default
        /// The model's `target:` (line 7).
        var target = "label"
        /// Diagnostics as `model.yaml:LINE:COL: PATH: message`.
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "unclassified features", features: "features: [amount, hour, segment]", expected: []),
        Case(name: "a classified feature without an allowance", features: "features: [amount, postcode]", expected: [
            "model.yaml:8:22: spec.features[1]: postcode is classified confidential in the contract; a classified column is a feature only "
                + "with a reason: add privacy.allowClassified: [{column: postcode, reason: …}], or leave it out of features",
        ]),
        Case(name: "classifications compare without regard to case", features: "features: [region]", expected: [
            "model.yaml:8:14: spec.features[0]: region is classified Restricted in the contract; a classified column is a feature only "
                + "with a reason: add privacy.allowClassified: [{column: region, reason: …}], or leave it out of features",
        ]),
        Case(name: "a classified feature with an allowance", features: "features: [amount, postcode]", privacy: """
              privacy:
                allowClassified:
                  - {column: postcode, reason: Delivery risk differs by area; approved by the privacy board.}
            """, expected: []),
        Case(name: "--classified adds a level", features: "features: [amount, segment]",
             classified: ClassifiedLevels(["internal"]), expected: [
            "model.yaml:8:22: spec.features[1]: segment is classified internal in the contract; a classified column is a feature only "
                + "with a reason: add privacy.allowClassified: [{column: segment, reason: …}], or leave it out of features",
        ]),
        Case(name: "--classified without confidential frees postcode", features: "features: [postcode]",
             classified: ClassifiedLevels(["restricted"]), expected: []),
        Case(name: "allowances for an unknown column, an unclassified one, twice, without a reason", features: "features: [amount]", privacy: """
              privacy:
                allowClassified:
                  - {column: postcod, reason: typo}
                  - {column: hour, reason: not private}
                  - {column: segment, reason: internal only}
                  - {column: postcode, reason: "  "}
                  - {column: postcode, reason: again}
            """, expected: [
                "model.yaml:12:18: spec.privacy.allowClassified[0].column: no column \"postcod\" in table tx of the contract; did you mean \"postcode\"?",
                "model.yaml:13:18: spec.privacy.allowClassified[1].column: hour is not classified (it has no classification; classified: "
                    + "restricted, confidential); only a classified column needs an allowance: remove this entry",
                "model.yaml:14:18: spec.privacy.allowClassified[2].column: segment is not classified (its classification is internal; "
                    + "classified: restricted, confidential); only a classified column needs an allowance: remove this entry",
                "model.yaml:15:36: spec.privacy.allowClassified[3].reason: reason is empty; say why the model needs postcode (the model card shows it)",
                "model.yaml:16:18: spec.privacy.allowClassified[4].column: column \"postcode\" is allowed twice; keep one entry",
            ]),
        Case(name: "retraining on feedback with a classified feature", features: "features: [amount, postcode]", privacy: """
              privacy:
                allowClassified: [{column: postcode, reason: Delivery risk differs by area.}]
              monitoring:
                retrain: {on: [drift]}
            """, expected: [
                "model.yaml:13:14: spec.monitoring.retrain: retraining on feedback takes the features as the prediction log holds them, and it holds "
                    + "postcode (classified) only as keyed hashes: set retrain.data: source",
            ]),
        Case(name: "retraining on the source with a classified feature", features: "features: [amount, postcode]", privacy: """
              privacy:
                allowClassified: [{column: postcode, reason: Delivery risk differs by area.}]
              monitoring:
                retrain: {on: [drift], data: source}
            """, expected: []),
        Case(name: "a classified target, even with an allowance", features: "features: [amount]", privacy: """
              privacy:
                allowClassified: [{column: postcode, reason: The model predicts the area.}]
            """, target: "postcode", expected: [
                "model.yaml:7:11: spec.target: postcode is classified confidential in the contract, and a target cannot be: its values are logged "
                    + "in clear, as every prediction and every feedback label (privacy.allowClassified covers features only); "
                    + "declassify the column in the contract, or predict another one",
            ]),
        Case(name: "--classified without confidential frees postcode as a target", features: "features: [amount]",
             classified: ClassifiedLevels(["restricted"]), target: "postcode", expected: []),
        Case(name: "an allowance without a reason field", features: "features: [amount]", privacy: """
              privacy:
                allowClassified: [{column: postcode}]
            """, expected: [
                "model.yaml:11:23: spec.privacy.allowClassified[0].reason: required field \"reason\" is missing",
            ]),
    ]

    @Test("each features and privacy block yields exactly its diagnostics", arguments: cases)
    func diagnostics(_ testCase: Case) throws {
        let directory = try Self.repository(features: testCase.features, privacy: testCase.privacy, target: testCase.target)
        let result = try ManifestLoader(classified: testCase.classified).load(DirectorySource(root: directory.path))
        #expect(result.diagnostics.map { $0.description.replacingOccurrences(of: directory.path + "/", with: "") } == testCase.expected)
    }

    @Test("default features leave out classified columns, by the --classified set", arguments: [
        (ClassifiedLevels.default, ["amount", "segment", "hour"]),
        (ClassifiedLevels(["internal", "confidential"]), ["amount", "region", "hour"]),
        (ClassifiedLevels([]), ["amount", "postcode", "region", "segment", "hour"]),
    ])
    func defaultFeatures(_ classified: ClassifiedLevels, _ expected: [String]) throws {
        let directory = try Self.repository(features: "", privacy: "")
        let result = try ManifestLoader(classified: classified).load(DirectorySource(root: directory.path))
        #expect(result.diagnostics.map(\.description) == [])
        let model = try #require(result.manifests.models.first)
        #expect(result.manifests.resolvedFeatures(of: model) == expected)
        #expect(result.manifests.classifiedFeatures(of: model) == [])
    }

    @Test("a model's classified features carry their classification and reason")
    func classifiedFeatures() throws {
        let directory = try Self.repository(features: "features: [amount, region, postcode]", privacy: """
              privacy:
                allowClassified:
                  - {column: postcode, reason: Delivery risk differs by area.}
                  - {column: region, reason: Card fraud patterns are regional.}
            """)
        let result = try ManifestLoader().load(DirectorySource(root: directory.path))
        #expect(result.diagnostics.map(\.description) == [])
        let model = try #require(result.manifests.models.first)
        #expect(result.manifests.classifiedFeatures(of: model) == [
            ClassifiedFeature(column: "region", classification: "Restricted", reason: "Card fraud patterns are regional."),
            ClassifiedFeature(column: "postcode", classification: "confidential", reason: "Delivery risk differs by area."),
        ])
    }

    @Test("the quickstart marks region restricted, and its model does not take it")
    func quickstart() throws {
        let result = try ManifestLoader().load(DirectorySource(root: "\(packageRoot)/examples/quickstart"))
        #expect(result.diagnostics.map(\.description) == [])
        let contract = try #require(result.manifests.dataContracts.first)
        let region = try #require(contract.schema?.first?.properties?.first { $0.name == "region" })
        #expect(region.classification == "restricted")
        let model = try #require(result.manifests.models.first)
        #expect(result.manifests.classifiedFeatures(of: model) == [])
    }

    static func repository(features: String, privacy: String, target: String = "label") throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try directory.write("contract.yaml", contract)
        try directory.write("dataset.yaml", dataset)
        try directory.write("data/tx.csv", "id\n")
        try directory.write("model.yaml", """
            apiVersion: sextant.dev/v1alpha1
            kind: Model
            metadata: {name: m}
            spec:
              task: binary-classification
              dataset: tx
              target: \(target)
              \(features)
              training: {trainer: logistic-regression}

            """ + privacy + "\n")
        return directory
    }
}
