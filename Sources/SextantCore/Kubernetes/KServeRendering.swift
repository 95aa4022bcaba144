package import SextantAPI

/// What `sextant render kserve` is asked to write, besides the state it renders.
package struct KServeOptions: Sendable, Hashable {
    /// The OCI repository prefix the ModelPack artifacts were copied to, e.g.
    /// `registry.example.com/ml`: a model's artifact is `<registry>/<model>@<digest>`.
    package var registry: String
    /// The namespace of every InferenceService; nil leaves it to `kubectl -n`.
    package var namespace: String?
    /// The container image holding the `sextant` binary: with it the `sextant-oip`
    /// ClusterServingRuntime is written too (once per cluster); nil leaves it out.
    package var image: String?

    package init(registry: String, namespace: String? = nil, image: String? = nil) {
        self.registry = registry
        self.namespace = namespace
        self.image = image
    }
}

/// The documents of one rendering, in a stable order: the InferenceServices by model name,
/// then the ClusterServingRuntime they need, and what the caller should tell the user.
package struct KServeRendering: Sendable, Hashable {
    package var documents: [KServeDocument]
    /// Models left out and features with no KServe equivalent, by model name.
    package var notes: [KServeNote]

    package init(documents: [KServeDocument] = [], notes: [KServeNote] = []) {
        self.documents = documents
        self.notes = notes
    }

    /// Every document as one YAML stream, `---` before each.
    package var stream: String {
        documents.map { "---\n" + $0.yaml }.joined()
    }
}

/// One Kubernetes object as YAML text (comments first, where there are any).
package struct KServeDocument: Sendable, Hashable {
    package var kind: String
    package var name: String
    package var yaml: String

    /// The file `-o DIR` writes it to: `<model>.yaml`; the runtime's is named after its kind.
    package var fileName: String {
        kind == KServeRenderer.runtimeKind ? "clusterservingruntime-\(name).yaml" : "\(name).yaml"
    }
}

/// Something the user must know about a model's rendering.
package struct KServeNote: Sendable, Hashable, CustomStringConvertible {
    package enum Severity: String, Sendable, Hashable {
        /// The model is rendered, but part of its rollout is not (a comment in its document says so).
        case warning
        /// The model has no document.
        case skipped
    }

    package var model: String
    package var severity: Severity
    package var message: String

    package var description: String { "\(severity == .warning ? "warning" : "skipped"): \(model): \(message)" }
}

/// Models whose names KServe refuses, each a problem positioned at the model's
/// `metadata.name` (`FILE:LINE:COL: message`, as `validate` prints them).
package struct KServeNameError: Error, Sendable, CustomStringConvertible {
    package var problems: [Diagnostic]

    package var description: String { problems.map(\.description).joined(separator: "\n") }
}
