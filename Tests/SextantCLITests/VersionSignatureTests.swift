import Foundation
import SextantAPI
@testable import SextantCLI
import SextantCore
import SextantML
import SextantMonitoring
import Testing

/// The signature `sextant predictions` decodes a version's log with, from what the
/// registry recorded at training.
@Suite struct VersionSignatureTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var task: SextantAPI.ModelTask?
        var classes: [String]?
        var expected: SextantML.ModelTask
        var expectedClasses: [String]
        var testDescription: String { name }
    }

    static let cases = [
        Case(name: "a recorded binary task, classes sorted", task: .binaryClassification, classes: ["true", "false"],
             expected: .binaryClassification, expectedClasses: ["false", "true"]),
        Case(name: "a recorded multiclass task of two classes stays multiclass", task: .multiclassClassification, classes: ["b", "a"],
             expected: .multiclassClassification, expectedClasses: ["a", "b"]),
        Case(name: "a recorded regression", task: .regression, classes: nil, expected: .regression, expectedClasses: []),
        Case(name: "an older record with two classes is binary", task: nil, classes: ["0", "1"], expected: .binaryClassification, expectedClasses: ["0", "1"]),
        Case(name: "an older record with three classes is multiclass", task: nil, classes: ["10", "2", "1"],
             expected: .multiclassClassification, expectedClasses: ["1", "2", "10"]),
        Case(name: "an older record without classes is a regression", task: nil, classes: nil, expected: .regression, expectedClasses: []),
    ]

    static func version(features: [SextantCore.FeatureColumn]?, task: SextantAPI.ModelTask?, classes: [String]?) -> ModelVersion {
        ModelVersion(number: 3, fingerprint: "f", commit: "c", datasetSha256: "d", contractSha256: "k", trainer: "logistic-regression",
                     modelDirectory: "models/m/v3", trainingRows: 10, holdoutRows: 2, features: features, classes: classes, task: task,
                     createdAt: Date(timeIntervalSince1970: 0))
    }

    @Test("the task comes from the record, or from its classes in older records", arguments: cases)
    func task(_ item: Case) throws {
        let features = [SextantCore.FeatureColumn(name: "b", logicalType: .number), SextantCore.FeatureColumn(name: "a", logicalType: .string)]
        let signature = try #require(Self.version(features: features, task: item.task, classes: item.classes).signature)
        #expect(signature == ModelSignature(features: ["b", "a"], task: item.expected, classes: item.expectedClasses))
        #expect(signature.classes == item.expectedClasses)
    }

    @Test("a record without features has no signature")
    func noFeatures() {
        #expect(Self.version(features: nil, task: .binaryClassification, classes: ["false", "true"]).signature == nil)
    }
}
