import Foundation
import SextantAPI
import SextantCore
import SextantYAML
import Testing

@Suite struct KServeRendererTests {
    static let digest7 = "sha256:" + String(repeating: "7", count: 64)
    static let digest8 = "sha256:" + String(repeating: "8", count: 64)
    static let options = KServeOptions(registry: "registry.example.com/ml", namespace: "ml", image: "registry.example.com/sextant:0.1")

    static func model(_ name: String = "fraud", serving: String = "") -> String {
        """
        apiVersion: sextant.dev/v1alpha1
        kind: Model
        metadata: {name: \(name)}
        spec:
          task: binary-classification
          dataset: tx
          target: label
          features: [amount]
          training: {trainer: logistic-regression}
        \(serving)

        """
    }

    static func policy(_ strategy: String, _ body: String = "", header: Bool = false) -> String {
        """
        apiVersion: sextant.dev/v1alpha1
        kind: RolloutPolicy
        metadata: {name: rollout}
        spec:
          strategy: \(strategy)
        \(header ? "  headerRoute: {name: X-Candidate, value: \"yes\"}" : "")
        \(body)

        """
    }

    static func manifests(_ files: [String: String]) throws -> ManifestSet {
        let result = try Manifests.load(Manifests.basic.merging(files) { _, new in new })
        try #require(result.isValid, "\(result.diagnostics)")
        return result.manifests
    }

    /// A rollout's status as the store keeps it (its initializer is the module's own).
    static func rollout(_ phase: String, weight: Int) throws -> RolloutStatus {
        let json = """
            {"strategy": "canary", "phase": "\(phase)", "step": 1, "steps": 2, "weight": \(weight), "failures": 0,
             "paused": false, "stepStartedAt": 0, "objectives": []}
            """
        return try JSONDecoder().decode(RolloutStatus.self, from: Data(json.utf8))
    }

    static func status(_ name: String = "fraud", stable: Int = 7, traffic: [TrafficEntry]? = nil, rollout: RolloutStatus? = nil) -> ObjectStatus {
        ObjectStatus(kind: .model, name: name, sync: .synced, health: .healthy, phase: .serving, message: "",
                     createdAt: Date(timeIntervalSince1970: 0),
                     model: .init(stableVersion: stable, stableRevision: stable, traffic: traffic ?? [TrafficEntry(revision: stable, version: stable, role: "stable", weight: 100)],
                                  rollout: rollout))
    }

    static func registry(_ name: String = "fraud", packaged: [Int: String] = [7: digest7, 8: digest8]) -> [String: ModelRegistry] {
        let versions = packaged.keys.sorted().map { number in
            ModelVersion(number: number, fingerprint: "f\(number)", commit: "c0ffee\(number)", datasetSha256: "d", contractSha256: "c", trainer: "logistic-regression",
                         modelDirectory: "models/\(name)/v\(number)", trainingRows: 10, holdoutRows: 2, artifactDigest: packaged[number],
                         createdAt: Date(timeIntervalSince1970: 0))
        }
        return [name: ModelRegistry(model: name, versions: versions)]
    }

    /// The document's YAML read back, for asserting on fields rather than on text.
    static func parsed(_ document: KServeDocument) throws -> YAMLNode {
        try #require(try YAMLParser().parse(document.yaml, file: document.fileName).first).root
    }

    static func field(_ node: YAMLNode, _ path: String) -> String? {
        var current: YAMLNode? = node
        for key in path.split(separator: ".") { current = current?[String(key)] }
        return current?.scalar?.value
    }

    @Test("a stable-only model pins the stable version's artifact by digest, with no canary, and the runtime follows it")
    func stableOnly() throws {
        let rendering = try KServeRenderer.render(manifests: try Self.manifests(["model.yaml": Self.model(serving: "  serving: {replicas: 3}")]),
                                                  status: [Self.status()], registries: Self.registry(), options: Self.options)
        #expect(rendering.notes.isEmpty)
        #expect(rendering.documents.map(\.fileName) == ["fraud.yaml", "clusterservingruntime-sextant-oip.yaml"])
        let isvc = try Self.parsed(rendering.documents[0])
        #expect(Self.field(isvc, "spec.predictor.model.storageUri") == "oci://registry.example.com/ml/fraud@" + Self.digest7)
        #expect(Self.field(isvc, "spec.predictor.canaryTrafficPercent") == nil)
        #expect(Self.field(isvc, "spec.predictor.minReplicas") == "3")
        #expect(Self.field(isvc, "spec.predictor.maxReplicas") == "3")
        #expect(Self.field(isvc, "spec.predictor.model.protocolVersion") == "v2")
        #expect(Self.field(isvc, "spec.predictor.model.runtime") == "sextant-oip")
        #expect(Self.field(isvc, "metadata.namespace") == "ml")
        #expect(Self.field(isvc, "metadata.annotations.sextant.dev/version") == nil)  // dotted keys are not paths
        #expect(isvc["metadata"]?["annotations"]?["sextant.dev/version"]?.scalar?.value == "7")
        let runtime = try Self.parsed(rendering.documents[1])
        #expect(Self.field(runtime, "kind") == "ClusterServingRuntime")
    }

    @Test("mid-canary renders the candidate's artifact with canaryTrafficPercent equal to its current weight")
    func midCanary() throws {
        let traffic = [TrafficEntry(revision: 7, version: 7, role: "stable", weight: 75), TrafficEntry(revision: 9, version: 8, role: "candidate", weight: 25)]
        let rendering = try KServeRenderer.render(
            manifests: try Self.manifests(["model.yaml": Self.model(serving: "  serving: {rollout: rollout}"),
                                           "policy.yaml": Self.policy("canary", "  steps: [{setWeight: 25}, {pause: {}}]")]),
            status: [Self.status(traffic: traffic, rollout: try Self.rollout("canary", weight: 25))], registries: Self.registry(), options: Self.options)
        #expect(rendering.notes.isEmpty)
        let isvc = try Self.parsed(rendering.documents[0])
        #expect(Self.field(isvc, "spec.predictor.canaryTrafficPercent") == "25")
        #expect(Self.field(isvc, "spec.predictor.model.storageUri") == "oci://registry.example.com/ml/fraud@" + Self.digest8)
        let annotations = isvc["metadata"]?["annotations"]
        #expect(annotations?["sextant.dev/version"]?.scalar?.value == "8")
        #expect(annotations?["sextant.dev/stable-version"]?.scalar?.value == "7")
        #expect(annotations?["sextant.dev/artifact"]?.scalar?.value == "fraud-v8")
    }

    @Test("shadow, blueGreen previews, experiments and header routes render the stable version with a warning and a comment", arguments: [
        ("shadow", "shadow", "  shadow: {mirrorPercent: 50, duration: 1m}", false, "shadow step"),
        ("blueGreen", "preview", "", false, "blueGreen's preview"),
        ("canary", "canary", "  steps: [{setWeight: 10}]", true, "header route X-Candidate"),
        ("experiment", "experiment", "  experiment: {split: 50, unit: {header: X-User-Id}, kpi: {name: converted, kind: proportion}, minSamples: 100, maxDuration: 1h}",
         false, "the experiment's split to v8 (50% of units"),
    ])
    func noEquivalent(strategy: String, phase: String, body: String, header: Bool, expected: String) throws {
        let weighted = phase == "canary" || phase == "experiment"
        let weight = phase == "experiment" ? 50 : 10
        let traffic = [TrafficEntry(revision: 7, version: 7, role: "stable", weight: weighted ? 100 - weight : 100),
                       TrafficEntry(revision: 9, version: 8, role: weighted ? "candidate" : phase, weight: weighted ? weight : 0, mirrorPercent: weighted ? nil : 50)]
        let rendering = try KServeRenderer.render(
            manifests: try Self.manifests(["model.yaml": Self.model(serving: "  serving: {rollout: rollout}"), "policy.yaml": Self.policy(strategy, body, header: header)]),
            status: [Self.status(traffic: traffic, rollout: try Self.rollout(phase, weight: weighted ? weight : 0))], registries: Self.registry(), options: Self.options)
        let warning = try #require(rendering.notes.first)
        #expect(warning.severity == .warning)
        #expect(warning.message.contains(expected))
        let document = rendering.documents[0]
        #expect(document.yaml.contains("# Not rendered: " + warning.message))
        let isvc = try Self.parsed(document)
        // A header route beside a canary keeps the canary; the others leave the stable version alone.
        let canary = phase == "canary"
        #expect(Self.field(isvc, "spec.predictor.model.storageUri")?.hasSuffix(canary ? Self.digest8 : Self.digest7) == true)
        #expect(Self.field(isvc, "spec.predictor.canaryTrafficPercent") == (canary ? "10" : nil))
    }

    @Test("models served by their own command are skipped with a message, and without a built-in model no runtime is written")
    func commandRuntimeSkipped() throws {
        let command = """
              serving:
                runtime: command
                command: [python, serve.py]
            """
        let rendering = try KServeRenderer.render(manifests: try Self.manifests(["model.yaml": Self.model(serving: command), "serve.py": ""]),
                                                  status: [Self.status()], registries: Self.registry(), options: Self.options)
        #expect(rendering.documents.isEmpty)
        #expect(rendering.notes.map(\.severity) == [.skipped])
        #expect(rendering.notes.first?.message.contains("serving.runtime command") == true)
    }

    @Test("a model that serves nothing yet, or whose version is not packaged, is skipped saying why")
    func notServingOrNotPackaged() throws {
        let manifests = try Self.manifests(["a.yaml": Self.model("alpha"), "b.yaml": Self.model("beta")])
        var registries = Self.registry("beta", packaged: [7: Self.digest7])
        registries["beta"]?.versions[0].artifactDigest = nil
        let rendering = try KServeRenderer.render(manifests: manifests, status: [Self.status("beta")], registries: registries, options: Self.options)
        #expect(rendering.documents.isEmpty)
        #expect(rendering.notes.map(\.model) == ["alpha", "beta"])
        #expect(rendering.notes[0].message.contains("nothing serves it yet"))
        #expect(rendering.notes[1].message.contains("v7 is not packaged"))
    }

    @Test("a name that is not a DNS-1035 label is an error naming the model and its file")
    func badName() throws {
        let manifests = try Self.manifests(["models/first.yaml": Self.model("9fraud")])
        #expect {
            _ = try KServeRenderer.render(manifests: manifests, status: [Self.status("9fraud")], registries: Self.registry("9fraud"), options: Self.options)
        } throws: { error in
            let description = String(describing: error)
            return description.contains("models/first.yaml:3:") && description.contains("Model 9fraud") && description.contains("DNS-1035")
        }
    }

    @Test("DNS-1035 labels as KServe's webhook checks them", arguments: [
        ("fraud-detector", true), ("f", true), ("a1", true), ("9fraud", false), ("fraud-", false), ("-fraud", false),
        ("Fraud", false), ("fraud.detector", false), (String(repeating: "a", count: 63), true), (String(repeating: "a", count: 64), false),
    ])
    func dns1035(name: String, valid: Bool) {
        #expect(KServeRenderer.isDNS1035Label(name) == valid)
    }

    @Test("autoscaling maps to min and max replicas with a concurrency target; the storage URI takes a bare digest too")
    func autoscaling() throws {
        let rendering = try KServeRenderer.render(
            manifests: try Self.manifests(["model.yaml": Self.model(serving: "  serving: {autoscaling: {min: 2, max: 5, targetOngoingRequests: 2.5}}")]),
            status: [Self.status()], registries: Self.registry(packaged: [7: String(repeating: "7", count: 64)]),
            options: KServeOptions(registry: "localhost:5000/ml/"))
        #expect(rendering.documents.count == 1)  // no --image: no runtime
        let isvc = try Self.parsed(rendering.documents[0])
        #expect(Self.field(isvc, "spec.predictor.minReplicas") == "2")
        #expect(Self.field(isvc, "spec.predictor.maxReplicas") == "5")
        #expect(Self.field(isvc, "spec.predictor.scaleMetric") == "concurrency")
        #expect(Self.field(isvc, "spec.predictor.scaleTarget") == "3")
        #expect(Self.field(isvc, "spec.predictor.model.storageUri") == "oci://localhost:5000/ml/fraud@" + Self.digest7)
        #expect(isvc["metadata"]?["namespace"] == nil)
    }

    @Test("rendering is deterministic: the same state gives the same bytes whatever the order of the status")
    func deterministic() throws {
        let manifests = try Self.manifests(["a.yaml": Self.model("alpha"), "b.yaml": Self.model("beta")])
        let registries = Self.registry("alpha").merging(Self.registry("beta")) { first, _ in first }
        let one = try KServeRenderer.render(manifests: manifests, status: [Self.status("alpha"), Self.status("beta")], registries: registries, options: Self.options)
        let two = try KServeRenderer.render(manifests: manifests, status: [Self.status("beta"), Self.status("alpha")], registries: registries, options: Self.options)
        #expect(one.stream == two.stream)
        #expect(one.documents.map(\.name) == ["alpha", "beta", "sextant-oip"])
    }
}
