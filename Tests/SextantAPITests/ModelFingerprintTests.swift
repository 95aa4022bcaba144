import Foundation
import Testing
@testable import SextantAPI
import SextantTestSupport

/// The training and serving fingerprints of DESIGN §2, pinned by a golden vector.
@Suite struct ModelFingerprintTests {
    static let datasetSha = "83aabdaa0a663d67842312e36d73a4ddea6578c6d90b86b988b2bdbe1dbef1a3"
    static let builtin = ModelFingerprint.TrainerIdentity.builtin(name: "logistic-regression", algorithmVersion: 1)

    static func quickstart(_ edit: (inout [String: String]) -> Void = { _ in }) throws -> ManifestSet {
        var files: [String: String] = [:]
        let root = packageRoot + "/examples/quickstart/"
        for path in FileManager.default.subpaths(atPath: root) ?? [] where path.hasSuffix(".yaml") || path.hasSuffix(".csv") {
            files[path] = try String(contentsOfFile: root + path, encoding: .utf8)
        }
        edit(&files)
        let directory = try TemporaryDirectory()
        for (path, content) in files { try directory.write(path, content) }
        let result = try ManifestLoader().load(try DirectorySource(root: directory.path))
        #expect(result.isValid, "\(result.diagnostics)")
        return result.manifests
    }

    static func training(_ manifests: ManifestSet) -> String? {
        ModelFingerprint.training(of: manifests.model(named: "fraud-detector")!, in: manifests, datasetSha256: datasetSha, trainer: builtin)
    }

    @Test("golden vector: the quickstart model's canonical document and digest")
    func golden() throws {
        let manifests = try Self.quickstart()
        let model = try #require(manifests.model(named: "fraud-detector"))
        let document = try #require(ModelFingerprint.trainingDocument(of: model, in: manifests, datasetSha256: Self.datasetSha, trainer: Self.builtin))
        let text = String(decoding: document, as: UTF8.self)
        #expect(text.hasPrefix(#"{"contractSha256":""#))
        #expect(text.contains(#""features":["amount","hour","merchant_risk","account_age_days"]"#))
        #expect(text.contains(#""split":{"holdout":0.2,"seed":42,"stratify":true}"#))
        #expect(text.contains(#""trainer":{"algorithmVersion":1,"kind":"builtin","name":"logistic-regression"}"#))
        #expect(text.contains(#""training":{"hyperparameters":{"l2":"1\/n","maxIterations":100,"tolerance":1e-06},"seed":42,"trainer":"logistic-regression"}"#) ||
                text.contains(#""training":{"hyperparameters":{"l2":"1/n","maxIterations":100,"tolerance":1e-06},"seed":42,"trainer":"logistic-regression"}"#), "\(text)")
        #expect(Self.training(manifests) == Fingerprint.sha256(Array("sextant.training/1".utf8) + [0] + document))
        // Pinned: a change here retrains every model in the field. Change it on purpose only,
        // with a new trainingAlgorithm.
        #expect(Self.training(manifests) == ModelFingerprintTests.pinned, "\(Self.training(manifests) ?? "nil")\n\(text)")
    }

    /// Computed from examples/quickstart: an edit of its training inputs (not its gates,
    /// serving or prose) changes it too.
    static let pinned = "f3eefb4c7c0b945db83714a7606ef6f2f776409d53ab36c7ebb0ab19eccbf540"

    @Test("what does not retrain: gates, timeout, serving, prose, a classification, key order, an explicit default")
    func stable() throws {
        let base = try Self.training(Self.quickstart())
        let edits: [(String, (inout [String: String]) -> Void)] = [
            ("gates", { $0["models/fraud-detector.yaml"] = $0["models/fraud-detector.yaml"]!.replacingOccurrences(of: "min: 0.90", with: "min: 0.95") }),
            ("timeout", { $0["models/fraud-detector.yaml"] = $0["models/fraud-detector.yaml"]!.replacingOccurrences(of: "timeout: 10m", with: "timeout: 20m") }),
            ("replicas", { $0["models/fraud-detector.yaml"] = $0["models/fraud-detector.yaml"]!.replacingOccurrences(of: "replicas: 1", with: "replicas: 3") }),
            ("a classification, with features listed", { $0["contracts/transactions.odcs.yaml"] = $0["contracts/transactions.odcs.yaml"]!.replacingOccurrences(of: "classification: restricted", with: "classification: internal") }),
            ("contract prose", { $0["contracts/transactions.odcs.yaml"] = $0["contracts/transactions.odcs.yaml"]!.replacingOccurrences(of: "One row per card transaction.", with: "Card transactions, one per row.") }),
            ("explicit default", { $0["models/fraud-detector.yaml"] = $0["models/fraud-detector.yaml"]!.replacingOccurrences(of: "    seed: 42\n    timeout", with: "    seed: 42\n    hyperparameters: {maxIterations: 100}\n    timeout") }),
        ]
        for (name, edit) in edits {
            #expect(try Self.training(Self.quickstart(edit)) == base, "\(name) must not retrain")
        }
    }

    @Test("what retrains: features, hyperparameters, the split, the data, a contract rule, the trainer")
    func changes() throws {
        let manifests = try Self.quickstart()
        let base = Self.training(manifests)
        let edits: [(String, (inout [String: String]) -> Void)] = [
            ("features", { $0["models/fraud-detector.yaml"] = $0["models/fraud-detector.yaml"]!.replacingOccurrences(of: "features: [amount, hour, merchant_risk, account_age_days]", with: "features: [amount, hour, merchant_risk]") }),
            ("l2", { $0["models/fraud-detector.yaml"] = $0["models/fraud-detector.yaml"]!.replacingOccurrences(of: "    # hyperparameters: {l2: 0.01}", with: "    hyperparameters: {l2: 0.01}") }),
            ("split", { $0["models/fraud-detector.yaml"] = $0["models/fraud-detector.yaml"]!.replacingOccurrences(of: "holdout: 0.2", with: "holdout: 0.25") }),
            ("contract rule", { $0["contracts/transactions.odcs.yaml"] = $0["contracts/transactions.odcs.yaml"]!.replacingOccurrences(of: "mustBeGreaterThan: 1000", with: "mustBeGreaterThan: 2000") }),
        ]
        for (name, edit) in edits {
            #expect(try Self.training(Self.quickstart(edit)) != base, "\(name) must retrain")
        }
        let model = manifests.model(named: "fraud-detector")!
        #expect(ModelFingerprint.training(of: model, in: manifests, datasetSha256: String(repeating: "0", count: 64), trainer: Self.builtin) != base)
        #expect(ModelFingerprint.training(of: model, in: manifests, datasetSha256: Self.datasetSha,
                                          trainer: .builtin(name: "logistic-regression", algorithmVersion: 2)) != base)
    }

    /// The quickstart with `amount` labelled `label` in the contract and, with a `reason`,
    /// allowed in the model.
    static func classifiedAmount(_ label: String, reason: String? = "Fraud concentrates in large amounts.") throws -> ManifestSet {
        try quickstart {
            let contract = "contracts/transactions.odcs.yaml", model = "models/fraud-detector.yaml"
            $0[contract] = $0[contract]!.replacingOccurrences(of: "      - name: amount\n        logicalType: number\n",
                                                            with: "      - name: amount\n        logicalType: number\n        classification: \(label)\n")
            if let reason {
                $0[model] = $0[model]!.replacingOccurrences(of: "  training:\n", with: "  privacy:\n    allowClassified: [{column: amount, reason: \(reason)}]\n  training:\n")
            }
        }
    }

    @Test("a listed feature's classification retrains (its values become hashes): classified, or another level; its case and reason do not")
    func classifiedFeatures() throws {
        let base = try #require(Self.training(Self.quickstart()))
        let restricted = try Self.classifiedAmount("restricted")
        let model = try #require(restricted.model(named: "fraud-detector"))
        let document = try #require(ModelFingerprint.trainingDocument(of: model, in: restricted, datasetSha256: Self.datasetSha, trainer: Self.builtin))
        #expect(String(decoding: document, as: UTF8.self).contains(#""classified":[{"classification":"restricted","column":"amount"}]"#))
        let fingerprint = try #require(Self.training(restricted))
        #expect(fingerprint != base, "amount classified: the reference and the log hash it")
        #expect(try Self.training(Self.classifiedAmount("confidential")) != fingerprint, "another level")
        #expect(try Self.training(Self.classifiedAmount("Restricted")) == fingerprint, "levels compare without regard to case")
        #expect(try Self.training(Self.classifiedAmount("restricted", reason: "Large amounts are riskier.")) == fingerprint, "a reason is prose")
        #expect(try Self.training(Self.classifiedAmount("internal", reason: nil)) == base, "internal is not classified: no allowance needed, nothing hashed")
    }

    @Test("a contract limit of .inf or .nan fingerprints, and not as its finite neighbour (FuzzManifest: try! on a non-finite number)")
    func nonFiniteNumbers() throws {
        let contract = "contracts/transactions.odcs.yaml"
        let fingerprints = try [
            ("mustBeGreaterThan: 1000", "mustBeGreaterThan: .inf"),
            ("mustBeGreaterThan: 1000", "mustBeGreaterThan: -.inf"),
            ("maximum: 23", "maximum: .nan"),
            ("maximum: 23", "maximum: 1.0e308"),
        ].map { old, new in
            try #require(Self.training(Self.quickstart { $0[contract] = $0[contract]!.replacingOccurrences(of: old, with: new) }))
        }
        let base = try #require(Self.training(Self.quickstart()))
        #expect(Set(fingerprints + [base]).count == 5)
        let document = String(decoding: Fingerprint.canonicalJSON([JSONValue.number(.infinity), .number(-.infinity), .number(.nan), .number(1.5)]), as: UTF8.self)
        #expect(document == #"["Infinity","-Infinity","NaN",1.5]"#)
    }

    @Test("serving: the runtime, command and env make a new revision; replicas and the rollout do not")
    func serving() throws {
        let manifests = try Self.quickstart()
        let model = manifests.model(named: "fraud-detector")!
        let base = ModelFingerprint.serving(of: model, contextSha256: nil, builtinServerVersion: 1)
        #expect(ModelFingerprint.serving(of: model, contextSha256: nil, builtinServerVersion: 2) != base, "a new built-in server rolls out")
        let scaled = try Self.quickstart { $0["models/fraud-detector.yaml"] = $0["models/fraud-detector.yaml"]!.replacingOccurrences(of: "replicas: 1", with: "replicas: 2") }
        #expect(ModelFingerprint.serving(of: scaled.model(named: "fraud-detector")!, contextSha256: nil, builtinServerVersion: 1) == base)
    }

    /// The quickstart model served by a Ray Serve application, with `serving` replaced by
    /// `lines` (at the block's indentation).
    static func rayServe(_ lines: String) throws -> Model {
        let manifests = try quickstart {
            let model = $0["models/fraud-detector.yaml"]!
            $0["models/fraud-detector.yaml"] = String(model[..<model.range(of: "    runtime: builtin")!.lowerBound]) + lines
            $0["serving/app.py"] = "app = None\n"
            $0["serving/v2.py"] = "app = None\n"
        }
        return manifests.model(named: "fraud-detector")!
    }

    @Test("serving on Ray Serve: the runtime and importPath make a new revision; autoscaling does not")
    func rayServeServing() throws {
        func fingerprint(_ model: Model, context: String? = "c1") -> String {
            ModelFingerprint.serving(of: model, contextSha256: context, builtinServerVersion: 1)
        }
        let base = try Self.rayServe("    runtime: rayServe\n    importPath: serving.app:app\n    replicas: 1\n")
        let builtin = try Self.quickstart().model(named: "fraud-detector")!
        #expect(fingerprint(base) != fingerprint(builtin, context: nil), "another runtime")
        #expect(fingerprint(base) != fingerprint(try Self.rayServe("    runtime: rayServe\n    importPath: serving.v2:app\n")), "another importPath")
        #expect(fingerprint(base) != fingerprint(base, context: "c2"), "another module folder")
        #expect(fingerprint(base) == fingerprint(try Self.rayServe("    runtime: rayServe\n    importPath: serving.app:app\n    autoscaling: {min: 1, max: 4}\n")),
                "autoscaling rescales the revision")
        #expect(fingerprint(base) == fingerprint(try Self.rayServe("    runtime: rayServe\n    importPath: serving.app:app\n    replicas: 3\n")),
                "replicas rescale the revision")
        // The other runtimes' fingerprints are what they were before importPath existed:
        // upgrading Sextant makes no new revision of them.
        let before: [String: JSONValue] = ["runtime": .string("builtin"), "env": .object([:]), "builtinServerVersion": .integer(1)]
        #expect(fingerprint(builtin, context: nil) == Fingerprint.of(ModelFingerprint.servingAlgorithm, before))
    }
}
