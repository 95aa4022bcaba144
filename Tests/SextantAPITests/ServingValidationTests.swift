import Foundation
import Testing
import SextantAPI
import SextantTestSupport

/// `spec.serving`'s rules (DESIGN §2, §12): which runtime serves which trainer's models,
/// `rayServe`'s `importPath`, and `replicas` against `autoscaling`, each diagnostic with
/// its file, line and column.
@Suite struct ServingValidationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// The model's `training:` value.
        var training = "{command: [python3, trainers/train.py]}"
        /// The model's lines from line 10 on (`serving:` and what follows), or nothing.
        var serving: String
        /// Diagnostics as `model.yaml:LINE:COL: PATH: message`.
        var expected: [String]
        var testDescription: String { name }
    }

    static let builtin = "{trainer: logistic-regression}"

    static let cases: [Case] = [
        Case(name: "a Ray Serve application of an external trainer, autoscaled", serving: """
              serving:
                runtime: rayServe
                importPath: serving.app:app
                env: {GREETING: "${SEXTANT_MODEL_NAME}"}
                autoscaling: {min: 1, max: 4, targetOngoingRequests: 2.5}
            """, expected: []),
        Case(name: "a built-in trainer's model served by a Ray Serve package", training: builtin, serving: """
              serving: {runtime: rayServe, importPath: "serving.pkg:deployment", replicas: 2}
            """, expected: []),
        Case(name: "rayServe without importPath", serving: """
              serving:
                runtime: rayServe
            """, expected: [
                "model.yaml:11:14: spec.serving.runtime: runtime rayServe needs importPath: the Ray Serve application as MODULE:ATTRIBUTE, like serving.app:app",
            ]),
        Case(name: "importPath not MODULE:ATTRIBUTE", serving: """
              serving:
                runtime: rayServe
                importPath: serving/app.py
            """, expected: [
                "model.yaml:12:17: spec.serving.importPath: importPath \"serving/app.py\" must be MODULE:ATTRIBUTE: a dotted Python module of the "
                    + "watched root and the name of its application or deployment, like serving.app:app",
            ]),
        Case(name: "importPath with an empty module part", serving: """
              serving: {runtime: rayServe, importPath: "serving..app:app"}
            """, expected: [
                "model.yaml:10:44: spec.serving.importPath: importPath \"serving..app:app\" must be MODULE:ATTRIBUTE: a dotted Python module of the "
                    + "watched root and the name of its application or deployment, like serving.app:app",
            ]),
        Case(name: "a module that is not in the watched root", serving: """
              serving: {runtime: rayServe, importPath: "serving.missing:app"}
            """, expected: [
                "model.yaml:10:44: spec.serving.importPath: no module serving.missing under the watched root: add serving/missing.py "
                    + "(or the package serving/missing/__init__.py), or correct importPath",
            ]),
        Case(name: "command and context with rayServe", serving: """
              serving:
                runtime: rayServe
                importPath: serving.app:app
                command: [python3, serving/app.py]
                context: serving
            """, expected: [
                "model.yaml:13:5: spec.serving.command: command does not apply to runtime: rayServe, which runs importPath instead",
                "model.yaml:14:5: spec.serving.context: context does not apply to runtime: rayServe, which runs importPath instead",
            ]),
        Case(name: "importPath with runtime command", serving: """
              serving:
                runtime: command
                command: [python3, serving/app.py]
                importPath: serving.app:app
            """, expected: [
                "model.yaml:13:5: spec.serving.importPath: importPath applies only to runtime: rayServe",
            ]),
        Case(name: "importPath with the default built-in runtime", training: builtin, serving: """
              serving: {importPath: serving.app:app}
            """, expected: [
                "model.yaml:10:13: spec.serving.importPath: importPath applies only to runtime: rayServe",
            ]),
        Case(name: "a port in a Ray Serve application's env", serving: """
              serving:
                runtime: rayServe
                importPath: serving.app:app
                env: {PORT: "${SEXTANT_PORT}"}
            """, expected: [
                "model.yaml:13:17: spec.serving.env.PORT: ${SEXTANT_PORT} is not one of SEXTANT_MODEL_DIR, SEXTANT_MODEL_NAME, "
                    + "SEXTANT_MODEL_VERSION (Ray Serve's proxy owns the ports)",
            ]),
        Case(name: "an external trainer with the built-in runtime", serving: """
              serving: {runtime: builtin}
            """, expected: [
                "model.yaml:10:22: spec.serving.runtime: runtime builtin serves only built-in trainers' models; use runtime: command with an "
                    + "Open Inference Protocol v2 server, or runtime: rayServe with a Ray Serve application",
            ]),
        Case(name: "an external trainer without serving", serving: "", expected: [
            "model.yaml:5:3: spec.serving: an external trainer needs serving.runtime: command and serving.command, or serving.runtime: rayServe "
                + "and serving.importPath (built-in serving loads only built-in models)",
        ]),
        Case(name: "an external trainer's serving without a runtime", serving: """
              serving: {replicas: 2}
            """, expected: [
                "model.yaml:10:12: spec.serving: an external trainer needs runtime: command and a serving command, or runtime: rayServe and "
                    + "an importPath (built-in serving loads only built-in models)",
            ]),
        Case(name: "replicas and autoscaling together", training: builtin, serving: """
              serving:
                replicas: 2
                autoscaling: {min: 1, max: 4}
            """, expected: [
                "model.yaml:12:5: spec.serving.autoscaling: replicas and autoscaling exclude each other: keep replicas for a fixed count, "
                    + "or autoscaling to scale by load",
            ]),
        Case(name: "autoscaling bounds out of range", training: builtin, serving: """
              serving:
                autoscaling: {min: 0, max: 65, targetOngoingRequests: 0}
            """, expected: [
                "model.yaml:11:24: spec.serving.autoscaling.min: min 0 must be 1–64",
                "model.yaml:11:32: spec.serving.autoscaling.max: max 65 must be 1–64",
                "model.yaml:11:59: spec.serving.autoscaling.targetOngoingRequests: targetOngoingRequests must be a finite number more than 0 "
                    + "(requests in flight per replica; Ray's default is 2)",
            ]),
        Case(name: "autoscaling max below min", training: builtin, serving: """
              serving:
                autoscaling: {min: 3, max: 2, targetOngoingRequests: .inf}
            """, expected: [
                "model.yaml:11:32: spec.serving.autoscaling.max: max 2 is below min 3",
                "model.yaml:11:58: spec.serving.autoscaling.targetOngoingRequests: targetOngoingRequests must be a finite number more than 0 "
                    + "(requests in flight per replica; Ray's default is 2)",
            ]),
        Case(name: "replicas out of range", training: builtin, serving: """
              serving: {replicas: 65}
            """, expected: [
                "model.yaml:10:23: spec.serving.replicas: replicas 65 must be 1–64",
            ]),
    ]

    @Test("each serving spec yields exactly its diagnostics", arguments: cases)
    func diagnostics(_ testCase: Case) throws {
        let directory = try TemporaryDirectory()
        try directory.write("contract.yaml", ManifestLoaderTests.contract)
        try directory.write("dataset.yaml", ManifestLoaderTests.dataset)
        try directory.write("data/tx.csv", "id\n")
        try directory.write("trainers/train.py", "")
        try directory.write("serving/app.py", "app = None\n")
        try directory.write("serving/pkg/__init__.py", "deployment = None\n")
        try directory.write("model.yaml", """
            apiVersion: sextant.dev/v1alpha1
            kind: Model
            metadata: {name: m}
            spec:
              task: binary-classification
              dataset: tx
              target: label
              features: [amount, hour]
              training: \(testCase.training)

            """ + testCase.serving + "\n")
        let result = try ManifestLoader().load(DirectorySource(root: directory.path))
        #expect(result.diagnostics.map { $0.description.replacingOccurrences(of: directory.path + "/", with: "") } == testCase.expected)
    }
}
