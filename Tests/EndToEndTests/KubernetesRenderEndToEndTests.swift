import Foundation
import Testing
import SextantCore
import SextantTestSupport

/// `sextant render kserve` on the quickstart reconciled by `reconcile --once`, stable-only and
/// mid-canary, every document checked by `scripts/validate-kserve.py` against KServe's own
/// CRDs (vendored in Tests/Fixtures/kserve), which must also reject a broken document.
@Suite(.serialized) struct KubernetesRenderEndToEndTests {
    static let python = ProcessInfo.processInfo.environment["SEXTANT_KSERVE_PYTHON"]
    static let script = packageRoot + "/scripts/validate-kserve.py"

    static func validate(_ files: [String]) async throws -> ProcessOutput {
        try await runProcess(python!, [script] + files, environment: ["PATH": "/usr/bin:/bin"])
    }

    /// Renders into a fresh directory and validates every file written there.
    static func renderAndValidate(_ setup: ModelLifecycleEndToEndTests.Setup, _ extra: [String] = []) async throws -> (rendered: ProcessOutput, files: [String: String]) {
        let output = setup.state.path + "/../kserve-\(UUID().uuidString.prefix(8))"
        let rendered = try await setup.run(["render", "kserve", "--path", setup.repository.path, "--state-dir", setup.state.path,
                                            "--registry", "registry.example.com/ml", "--namespace", "ml", "--image", "registry.example.com/sextant:0.1",
                                            "-o", output] + extra)
        try #require(rendered.status == 0, "\(rendered.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: output).sorted()
        #expect(names == ["clusterservingruntime-sextant-oip.yaml", "fraud-detector.yaml"])
        let paths = names.map { output + "/" + $0 }
        let validated = try await validate(paths)
        #expect(validated.status == 0, "\(validated.stdout)\(validated.stderr)")
        #expect(validated.stdout.components(separatedBy: ": valid\n").count == names.count + 1, "\(validated.stdout)")
        var files: [String: String] = [:]
        for (name, path) in zip(names, paths) { files[name] = try String(contentsOfFile: path, encoding: .utf8) }
        return (rendered, files)
    }

    @Test("stable-only and mid-canary renderings of the quickstart are valid KServe manifests; mid-canary takes the candidate at 10%",
          .enabled(if: python != nil, "needs SEXTANT_KSERVE_PYTHON: a python with jsonschema and pyyaml (.ci/run makes /tmp/sextant-kserve-venv)"))
    func stableThenCanary() async throws {
        let setup = try await StatusViewEndToEndTests.reconciledQuickstart()
        let stable = try await Self.renderAndValidate(setup)
        let first = try #require(stable.files["fraud-detector.yaml"])
        #expect(!first.contains("canaryTrafficPercent"), "\(first)")
        #expect(first.contains("sextant.dev/version: \"1\""), "\(first)")
        let digest1 = try #require(first.firstMatch(of: /storageUri: oci:\/\/registry\.example\.com\/ml\/fraud-detector@(sha256:[0-9a-f]{64})/)?.1)

        // The stream on standard output holds the same documents.
        let streamed = try await setup.run(["render", "kserve", "--path", setup.repository.path, "--state-dir", setup.state.path,
                                            "--registry", "registry.example.com/ml", "--namespace", "ml"])
        #expect(streamed.status == 0, "\(streamed.stderr)")
        #expect(streamed.stdout == "---\n" + first, "\(streamed.stdout)")
        #expect(streamed.stderr.contains("give --image IMAGE"), "\(streamed.stderr)")

        let file = setup.repository.path + "/models/fraud-detector.yaml"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try #require(text.contains("# hyperparameters: {l2: 0.01}"))
        try setup.repository.commit("a weaker L2 penalty", files: ["models/fraud-detector.yaml": text.replacingOccurrences(
            of: "# hyperparameters: {l2: 0.01}", with: "hyperparameters: {l2: 0.0005}")])
        // No traffic: the canary stays at its first step, 10%.
        let reconciled = try await setup.reconcile()
        try #require(try setup.model(reconciled, "fraud-detector").phase == .rollingOut, "\(reconciled.stderr)")

        let canary = try await Self.renderAndValidate(setup)
        let second = try #require(canary.files["fraud-detector.yaml"])
        #expect(second.contains("canaryTrafficPercent: 10\n"), "\(second)")
        #expect(second.contains("sextant.dev/version: \"2\""), "\(second)")
        #expect(second.contains("sextant.dev/stable-version: \"1\""), "\(second)")
        let digest2 = try #require(second.firstMatch(of: /storageUri: oci:\/\/registry\.example\.com\/ml\/fraud-detector@(sha256:[0-9a-f]{64})/)?.1)
        #expect(digest2 != digest1)
        // The quickstart's policy has a header route: left out, saying so in both places.
        #expect(canary.rendered.stderr.contains("warning: fraud-detector: the header route X-Sextant-Candidate"), "\(canary.rendered.stderr)")
        #expect(second.contains("# Not rendered: the header route X-Sextant-Candidate"), "\(second)")
    }

    @Test("the validator rejects a misspelt field and a wrongly typed one, naming both, and a kind it has no CRD for",
          .enabled(if: python != nil, "needs SEXTANT_KSERVE_PYTHON: a python with jsonschema and pyyaml (.ci/run makes /tmp/sextant-kserve-venv)"))
    func validatorRejects() async throws {
        let invalid = try await Self.validate([packageRoot + "/Tests/Fixtures/kserve/invalid-inferenceservice.yaml"])
        #expect(invalid.status == 1, "\(invalid.stdout)\(invalid.stderr)")
        #expect(invalid.stdout.contains("spec.predictor: Additional properties are not allowed ('canaryTrafficPercnt' was unexpected)"), "\(invalid.stdout)")
        #expect(invalid.stdout.contains("spec.predictor.model.storageUri: 5 is not of type 'string'"), "\(invalid.stdout)")

        let directory = try TemporaryDirectory()
        try directory.write("other.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n")
        try directory.write("name.yaml", "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: 9fraud}\nspec: {predictor: {}}\n")
        let other = try await Self.validate([directory.path + "/other.yaml", directory.path + "/name.yaml"])
        #expect(other.status == 1)
        #expect(other.stdout.contains("no CRD for Deployment apps/v1"), "\(other.stdout)")
        #expect(other.stdout.contains("metadata.name: '9fraud' does not match"), "\(other.stdout)")
    }
}
