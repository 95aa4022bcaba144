import Foundation
import Testing
import SextantAPI
import SextantYAML
import SextantTestSupport

/// The hand-written readers of the manifest kinds (`NodeReader`) against the `Decodable`
/// path they replaced: the same value, and the same problems with the same paths, marks and
/// messages, for every document of the repository's manifests and for each error class.
@Suite struct ManifestReadingTests {
    /// A document's problems as (mark, "path: message"), the way diagnostics show them.
    struct Problem: Hashable, CustomStringConvertible {
        var mark: SourceMark
        var message: String
        var description: String { "\(mark): \(message)" }
    }

    /// Both ways of reading a document, as (value, problems): `ManifestDecoder` (the
    /// hand-written readers), and `YAMLDecoder` over the `Decodable` conformances.
    static func bothWays(_ kind: ManifestKind, _ document: YAMLDocument) -> (read: (Manifest?, [Problem]), decoded: (Manifest?, [Problem])) {
        func decode<T: Decodable>(_ type: T.Type, _ wrap: (T) -> Manifest) -> (Manifest?, [Problem]) {
            let result = YAMLDecoder().decode(type, from: document.root)
            return (result.value.map(wrap), result.issues.map { Problem(mark: $0.mark, message: "\($0.path): \($0.message)") })
        }
        let decoded = switch kind {
        case .model: decode(Model.self, Manifest.model)
        case .dataset: decode(Dataset.self, Manifest.dataset)
        case .dataContract: decode(DataContract.self, Manifest.dataContract)
        case .slo: decode(SLO.self, Manifest.slo)
        case .rolloutPolicy: decode(RolloutPolicy.self, Manifest.rolloutPolicy)
        }
        let text = ManifestText(bytes: [], file: document.file, index: document.index, limits: .default)
        let read = ManifestDecoder.decode(document, text: text)
        // Reading problems come first; the checks of a decoded manifest follow them.
        let problems = read.diagnostics.map { Problem(mark: $0.mark, message: $0.message) }
        return ((read.manifest?.manifest, Array(problems.prefix(decoded.1.count))), decoded)
    }

    static func documents(_ text: String) throws -> [YAMLDocument] {
        try YAMLParser().parse(text, file: "m.yaml").filter { !$0.isEmpty }
    }

    /// Every manifest under examples/, docs/ fixtures and the bad-input corpus that parses.
    static var repositoryFiles: [String] {
        var files: [String] = []
        for folder in ["examples", "Tests/SextantAPITests/BadInput", "Tests/DocsTests/Fixtures"] {
            let base = "\(packageRoot)/\(folder)"
            guard let walker = FileManager.default.enumerator(atPath: base) else { continue }
            for case let path as String in walker where path.hasSuffix(".yaml") || path.hasSuffix(".yml") {
                files.append("\(base)/\(path)")
            }
        }
        return files.sorted()
    }

    @Test("the repository holds manifests of every kind to compare")
    func corpus() throws {
        var kinds: Set<ManifestKind> = []
        for file in Self.repositoryFiles {
            for document in (try? YAMLParser().parse(String(contentsOfFile: file, encoding: .utf8), file: file)) ?? [] {
                if let kind = document.root["kind"]?.text.flatMap(ManifestKind.init(rawValue:)) { kinds.insert(kind) }
            }
        }
        #expect(kinds == Set(ManifestKind.allCases))
    }

    @Test("every manifest of the repository reads as it decodes")
    func repository() throws {
        for file in Self.repositoryFiles {
            guard let documents = try? YAMLParser().parse(String(contentsOfFile: file, encoding: .utf8), file: file) else { continue }
            for document in documents {
                // Only documents ManifestDecoder reads at all: a known kind and apiVersion.
                guard let kind = document.root["kind"]?.text.flatMap(ManifestKind.init(rawValue:)),
                      let version = document.root["apiVersion"]?.text, kind.apiVersions.contains(version) else { continue }
                let (read, decoded) = Self.bothWays(kind, document)
                // A NaN hyperparameter is not equal to itself: such a document is compared by its problems only.
                #expect(read.0 == decoded.0 || String(describing: decoded.0).contains("(nan)"), "\(file)#\(document.index)")
                #expect(read.1 == decoded.1, "\(file)#\(document.index)")
            }
        }
    }

    /// One document per error class, each with the one problem it must yield.
    static let errorCases: [(name: String, kind: ManifestKind, yaml: String, expected: String)] = [
        ("unknown field with a hint", .model, """
        apiVersion: sextant.dev/v1alpha1
        kind: Model
        metadata: {name: m}
        spec:
          task: regression
          dataset: d
          target: y
          trainng: {trainer: linear-regression}
          training: {trainer: linear-regression}
        """, "8:3: spec.trainng: unknown field \"trainng\"; did you mean \"training\"?"),
        ("missing required field at the key that leads to it", .model, """
        apiVersion: sextant.dev/v1alpha1
        kind: Model
        metadata: {name: m}
        spec:
          task: regression
          target: y
          training: {trainer: linear-regression}
        """, "4:1: spec.dataset: required field \"dataset\" is missing"),
        ("wrong type in an optional field", .model, """
        apiVersion: sextant.dev/v1alpha1
        kind: Model
        metadata: {name: m}
        spec:
          task: regression
          dataset: d
          target: y
          training: {trainer: linear-regression, seed: "42"}
        """, "8:48: spec.training.seed: expected a whole number, found the string \"42\"; remove the quotes to make it a number"),
        ("value not one of an enumeration", .rolloutPolicy, """
        apiVersion: sextant.dev/v1alpha1
        kind: RolloutPolicy
        metadata: {name: p}
        spec:
          strategy: canary
          analysis: {inconclusive: maybe}
        """, "6:28: spec.analysis.inconclusive: \"maybe\" is not one of pause | rollback | promote"),
        ("a list where a mapping goes", .dataset, """
        apiVersion: sextant.dev/v1alpha1
        kind: Dataset
        metadata: {name: d}
        spec:
          source: [data.csv]
          contract: c
        """, "5:11: spec.source: expected a mapping, found a list"),
        ("a bad duration inside a list", .rolloutPolicy, """
        apiVersion: sextant.dev/v1alpha1
        kind: RolloutPolicy
        metadata: {name: p}
        spec:
          strategy: canary
          steps:
            - pause: {duration: soon}
        """, "7:25: spec.steps[0].pause.duration: \"soon\" is not a duration"),
        ("a required field of an open standard's object", .slo, """
        apiVersion: openslo/v1
        kind: SLO
        metadata: {name: s}
        spec:
          service: m
          objectives: [{op: lte, value: fast}]
        """, "6:33: spec.objectives[0].value: expected a number, found the string \"fast\""),
        ("a mapping where a string goes in a contract", .dataContract, """
        apiVersion: v3.1.0
        kind: DataContract
        id: c
        version: 1.0.0
        status: active
        schema:
          - name: {t: 1}
        """, "7:11: schema[0].name: expected a string, found a mapping"),
        ("a bad size and a bad schedule are both reported", .model, """
        apiVersion: sextant.dev/v1alpha1
        kind: Model
        metadata: {name: m}
        spec:
          task: regression
          dataset: d
          target: y
          training: {trainer: linear-regression}
          monitoring:
            log: {maxBytes: lots}
            retrain: {schedule: "every day"}
        """, "10:21: spec.monitoring.log.maxBytes: \"lots\" is not a size"),
        ("an unknown field of autoscaling", .model, """
        apiVersion: sextant.dev/v1alpha1
        kind: Model
        metadata: {name: m}
        spec:
          task: regression
          dataset: d
          target: y
          training: {trainer: linear-regression}
          serving:
            autoscaling: {min: 1, maxReplicas: 4}
        """, "10:27: spec.serving.autoscaling.maxReplicas: unknown field \"maxReplicas\""),
        ("autoscaling without its maximum", .model, """
        apiVersion: sextant.dev/v1alpha1
        kind: Model
        metadata: {name: m}
        spec:
          task: regression
          dataset: d
          target: y
          training: {trainer: linear-regression}
          serving: {runtime: rayServe, importPath: serving.app:app, autoscaling: {min: 1}}
        """, "9:61: spec.serving.autoscaling.max: required field \"max\" is missing"),
    ]

    @Test("each error class reads with its path, mark and message, as it decodes", arguments: errorCases.indices)
    func errorClass(index: Int) throws {
        let errorCase = Self.errorCases[index]
        let document = try #require(try Self.documents(errorCase.yaml).first)
        let (read, decoded) = Self.bothWays(errorCase.kind, document)
        #expect((read.0 == nil) == (decoded.0 == nil), "\(errorCase.name)")
        #expect(read.1 == decoded.1, "\(errorCase.name)")
        let lines = read.1.map(\.description)
        #expect(lines.contains { $0.hasPrefix(errorCase.expected) }, "\(errorCase.name): \(lines)")
    }

    @Test("a valid document reads to the values it decodes to")
    func values() throws {
        let yaml = """
        apiVersion: sextant.dev/v1alpha1
        kind: Model
        metadata: {name: m, labels: {team: a}}
        spec:
          task: binary-classification
          dataset: d
          target: label
          features: [a, b]
          training: {trainer: logistic-regression, hyperparameters: {l2: 0.01, n: 3}, seed: 7, timeout: 10m}
          evaluation:
            split: {holdout: 0.25, stratify: true}
            gates: [{metric: auc, min: 0.8}]
          serving: {runtime: builtin, replicas: 2, slos: [s], env: {A: b}}
          monitoring: {log: {maxBytes: 512Mi}, retrain: {on: [drift], schedule: "0 3 * * 1"}}
        """
        let document = try #require(try Self.documents(yaml).first)
        let (read, decoded) = Self.bothWays(.model, document)
        #expect(read.1.isEmpty)
        #expect(read.0 == decoded.0)
        guard case .model(let model)? = read.0 else {
            Issue.record("not a model: \(String(describing: read.0))")
            return
        }
        #expect(model.spec.training.seed == 7)
        #expect(model.spec.training.hyperparameters?["n"] == .integer(3))
        #expect(model.spec.training.timeout?.milliseconds == 600_000)
        #expect(model.spec.evaluation?.gates?.first?.metric == .auc)
        #expect(model.spec.serving?.env == ["A": "b"])
        #expect(model.spec.monitoring?.log?.maxBytes?.bytes == 512 << 20)
    }

    @Test("a Ray Serve application's serving reads to the values it decodes to")
    func rayServeValues() throws {
        let yaml = """
        apiVersion: sextant.dev/v1alpha1
        kind: Model
        metadata: {name: m}
        spec:
          task: regression
          dataset: d
          target: y
          training: {command: [python3, train.py]}
          serving:
            runtime: rayServe
            importPath: serving.app:app
            autoscaling: {min: 1, max: 4, targetOngoingRequests: 3}
        """
        let document = try #require(try Self.documents(yaml).first)
        let (read, decoded) = Self.bothWays(.model, document)
        #expect(read.1.isEmpty)
        #expect(read.0 == decoded.0)
        guard case .model(let model)? = read.0 else {
            Issue.record("not a model: \(String(describing: read.0))")
            return
        }
        #expect(model.spec.serving?.runtime == .rayServe)
        #expect(model.spec.serving?.importPath == "serving.app:app")
        let autoscaling = try #require(model.spec.serving?.autoscaling)
        #expect(autoscaling.min == 1)
        #expect(autoscaling.max == 4)
        #expect(autoscaling.targetOngoingRequests == 3)
    }
}
