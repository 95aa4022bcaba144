import Foundation
import Testing
@testable import SextantAPI
import SextantTestSupport

@Suite struct SchemaTests {
    @Test("the checked-in schemas are the generated ones (run `make schemas` after changing a kind)", arguments: ManifestKind.allCases)
    func checkedIn(kind: ManifestKind) throws {
        let path = "\(packageRoot)/manifests/schemas/\(kind.schemaFileName)"
        let checkedIn = try String(contentsOfFile: path, encoding: .utf8)
        #expect(checkedIn == kind.jsonSchema, "manifests/schemas/\(kind.schemaFileName) is stale: run `make schemas`")
    }

    /// The schema is written by hand beside the types; this keeps the two from drifting.
    @Test("every field of Sextant's own kinds is in the schema, and nothing else")
    func coversTheTypes() throws {
        func properties(_ schema: JSONValue, _ path: [String]) -> Set<String> {
            var node = schema
            for key in path {
                guard case .object(let object) = node, case .object(let properties)? = object["properties"], let next = properties[key] else { return [] }
                node = next
                if case .object(let inner) = node, let items = inner["items"] { node = items }
            }
            guard case .object(let object) = node, case .object(let properties)? = object["properties"] else { return [] }
            return Set(properties.keys)
        }
        func keys<K: CodingKey & CaseIterable>(_ type: K.Type) -> Set<String> { Set(type.allCases.map(\.stringValue)) }
        let model = ManifestKind.model.schemaValue
        #expect(properties(model, []) == keys(Model.CodingKeys.self))
        #expect(properties(model, ["metadata"]) == keys(ObjectMeta.CodingKeys.self))
        #expect(properties(model, ["spec"]) == keys(ModelSpec.CodingKeys.self))
        #expect(properties(model, ["spec", "training"]) == keys(TrainingSpec.CodingKeys.self))
        #expect(properties(model, ["spec", "evaluation"]) == keys(EvaluationSpec.CodingKeys.self))
        #expect(properties(model, ["spec", "evaluation", "split"]) == keys(SplitSpec.CodingKeys.self))
        #expect(properties(model, ["spec", "evaluation", "gates"]) == keys(Gate.CodingKeys.self))
        #expect(properties(model, ["spec", "evaluation", "incumbent"]) == keys(IncumbentSpec.CodingKeys.self))
        #expect(properties(model, ["spec", "serving"]) == keys(ServingSpec.CodingKeys.self))
        #expect(properties(model, ["spec", "serving", "autoscaling"]) == keys(AutoscalingSpec.CodingKeys.self))
        #expect(properties(model, ["spec", "monitoring"]) == keys(MonitoringSpec.CodingKeys.self))
        #expect(properties(model, ["spec", "monitoring", "drift"]) == keys(DriftSpec.CodingKeys.self))
        #expect(properties(model, ["spec", "monitoring", "retrain"]) == keys(RetrainSpec.CodingKeys.self))
        let dataset = ManifestKind.dataset.schemaValue
        #expect(properties(dataset, ["spec"]) == keys(DatasetSpec.CodingKeys.self))
        #expect(properties(dataset, ["spec", "source"]) == keys(DatasetSource.CodingKeys.self))
        let policy = ManifestKind.rolloutPolicy.schemaValue
        #expect(properties(policy, ["spec"]) == keys(RolloutPolicySpec.CodingKeys.self))
        #expect(properties(policy, ["spec", "steps"]) == keys(RolloutStep.CodingKeys.self))
        #expect(properties(policy, ["spec", "steps", "pause"]) == keys(PauseStep.CodingKeys.self))
        #expect(properties(policy, ["spec", "blueGreen"]) == keys(BlueGreenSpec.CodingKeys.self))
        #expect(properties(policy, ["spec", "shadow"]) == keys(ShadowSpec.CodingKeys.self))
        #expect(properties(policy, ["spec", "headerRoute"]) == keys(HeaderRoute.CodingKeys.self))
        #expect(properties(policy, ["spec", "analysis"]) == keys(AnalysisSpec.CodingKeys.self))
        #expect(properties(policy, ["spec", "rollback"]) == keys(RollbackSpec.CodingKeys.self))
    }

    @Test("the schema accepts what validate accepts: enums match the Swift types")
    func enums() throws {
        let text = ManifestKind.model.jsonSchema
        for task in ModelTask.allCases { #expect(text.contains("\"\(task.rawValue)\"")) }
        for metric in MetricName.allCases { #expect(text.contains("\"\(metric.rawValue)\"")) }
        for runtime in ServingRuntime.allCases { #expect(text.contains("\"\(runtime.rawValue)\"")) }
    }

    @Test("the schema's importPath pattern accepts what validate accepts", arguments: [
        ("serving.app:app", true), ("app:deployment", true), ("_private.v2_serve:App1", true),
        ("serving/app.py", false), ("serving.app", false), ("serving.app:", false), (":app", false), ("serving..app:app", false),
        ("serving.app:app:extra", false), ("1serving.app:app", false), ("serving.app:app.bind", false), ("sérving.app:app", false),
    ])
    func importPathPattern(importPath: String, valid: Bool) throws {
        guard case .object(let root) = ManifestKind.model.schemaValue, case .object(let properties)? = root["properties"],
              case .object(let spec)? = properties["spec"], case .object(let specProperties)? = spec["properties"],
              case .object(let serving)? = specProperties["serving"], case .object(let servingProperties)? = serving["properties"],
              case .object(let field)? = servingProperties["importPath"], case .string(let pattern)? = field["pattern"] else {
            Issue.record("no pattern for spec.serving.importPath")
            return
        }
        let expression = try NSRegularExpression(pattern: pattern)
        let matches = expression.firstMatch(in: importPath, range: NSRange(importPath.startIndex..., in: importPath)) != nil
        #expect(matches == valid, "the schema's pattern")
        #expect(ServingSpec.isImportPath(importPath) == valid, "validate")
    }
}
