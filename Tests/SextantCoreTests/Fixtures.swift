import Foundation
import SextantAPI
import SextantCore
import SextantTestSupport

/// Manifests for planner and reconciler tests, loaded the way the reconciler loads them.
enum Manifests {
    static func contract(_ name: String = "tx", minimum: Int = 0) -> String {
        """
        apiVersion: v3.1.0
        kind: DataContract
        id: urn:\(name)
        version: 1.0.0
        status: active
        name: \(name)
        schema:
          - name: \(name)
            properties:
              - {name: amount, logicalType: number, required: true, logicalTypeOptions: {minimum: \(minimum)}}
              - {name: label, logicalType: boolean}

        """
    }

    static func dataset(_ name: String, path: String = "data/tx.csv", contract: String = "tx", uri: String? = nil) -> String {
        let source = uri.map { "uri: \($0)" } ?? "path: \(path)"
        return """
            apiVersion: sextant.dev/v1alpha1
            kind: Dataset
            metadata: {name: \(name)}
            spec:
              source: {\(source), format: csv}
              contract: \(contract)

            """
    }

    static let model = """
        apiVersion: sextant.dev/v1alpha1
        kind: Model
        metadata: {name: fraud}
        spec:
          task: binary-classification
          dataset: tx
          target: label
          features: [amount]
          training: {trainer: logistic-regression}

        """

    /// Loads files (path → content) as a manifest set.
    static func load(_ files: [String: String]) throws -> ManifestLoader.Result {
        let directory = try TemporaryDirectory()
        for (path, content) in files { try directory.write(path, content) }
        return try ManifestLoader().load(try DirectorySource(root: directory.path))
    }

    static func desired(_ files: [String: String], commit: String = "c1", blobs: [String: String] = ["data/tx.csv": "blob1"], dataRoots: [String] = []) throws -> DesiredState {
        let result = try load(files)
        precondition(result.isValid, "\(result.diagnostics)")
        return DesiredState(commit: commit, manifests: result.manifests, blobs: blobs, dataRoots: dataRoots)
    }

    static let basic: [String: String] = [
        "contract.yaml": contract(),
        "dataset.yaml": dataset("tx"),
        "data/tx.csv": "amount,label\n1,true\n",
    ]
}
