package import SextantAPI
import SextantYAML

/// Turns the desired state (manifests), what serves (status) and what was packaged
/// (registries) into KServe manifests: one `InferenceService` per served model (Open
/// Inference Protocol v2, the ModelPack artifact pinned by digest, the canary's weight) and
/// the `sextant-oip` `ClusterServingRuntime` built-in models run on (DESIGN §12 "KServe").
/// Pure: the same inputs give the same bytes, so renderings can be diffed and committed.
package enum KServeRenderer {
    package static let isvcAPIVersion = "serving.kserve.io/v1beta1"
    package static let runtimeAPIVersion = "serving.kserve.io/v1alpha1"
    package static let runtimeKind = "ClusterServingRuntime"
    /// The runtime built-in models name, and the model format it serves.
    package static let runtimeName = "sextant-oip"
    package static let modelFormat = "sextant-builtin"
    /// The port `serve-model` listens on inside the runtime's container (KServe's default).
    static let containerPort = 8080

    /// Renders every model in `manifests` (by name). A model is skipped, with a note, when
    /// nothing serves it yet, when the version to render is not packaged, or when it needs a
    /// runtime of its own (`serving.runtime: command` or `rayServe`). Throws when a model
    /// to render has a name KServe refuses, naming every such model and its file.
    package static func render(manifests: ManifestSet, status: [ObjectStatus], registries: [String: ModelRegistry],
                               options: KServeOptions) throws(KServeNameError) -> KServeRendering {
        try render(manifests: manifests, status: status, versions: registries.mapValues { $0.versions.map(PackagedVersion.init) }, options: options)
    }

    /// A version as a rendering needs it: from the registry, or from a daemon's history
    /// (`render kserve --server`).
    package struct PackagedVersion: Sendable, Hashable {
        package var number: Int
        /// The commit that trained it.
        package var commit: String
        /// Its ModelPack artifact's manifest digest; nil until packaged.
        package var artifactDigest: String?

        package init(_ version: ModelVersion) {
            (number, commit, artifactDigest) = (version.number, version.commit, version.artifactDigest)
        }

        package init(_ version: HistoryDocument.Version) {
            (number, commit, artifactDigest) = (version.version, version.commit, version.artifactDigest)
        }
    }

    /// As `render(manifests:status:registries:options:)`, with each model's versions.
    package static func render(manifests: ManifestSet, status: [ObjectStatus], versions: [String: [PackagedVersion]],
                               options: KServeOptions) throws(KServeNameError) -> KServeRendering {
        var rendering = KServeRendering()
        var badNames: [Diagnostic] = []
        let statuses = Dictionary(status.filter { $0.kind == .model }.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var needsRuntime = false
        for model in manifests.models.sorted(by: { $0.metadata.name < $1.metadata.name }) {
            let name = model.metadata.name
            let spec = model.spec
            let runtime = spec.serving?.runtime ?? (spec.training.trainer != nil ? .builtin : .command)
            guard runtime == .builtin else {
                rendering.notes.append(KServeNote(model: name, severity: .skipped, message:
                    "serving.runtime \(runtime.rawValue) serves it with the repository's own server, which needs a ServingRuntime of its own; not rendered"))
                continue
            }
            guard isDNS1035Label(name) else {
                let message = "Model \(name): KServe needs an InferenceService name that is a DNS-1035 label (a lowercase letter first, "
                    + "then lowercase letters, digits and '-', ending in a letter or digit, at most 63 characters); rename the model to render it"
                badNames.append(manifests.manifest(.model, named: name)?.diagnostic(["metadata", "name"], message)
                    ?? Diagnostic(file: "?", mark: .start, message: message))
                continue
            }
            guard let fields = statuses[name]?.model, let stable = fields.stableVersion else {
                rendering.notes.append(KServeNote(model: name, severity: .skipped, message:
                    "nothing serves it yet (see `sextant status \(name)`); render again once a version serves"))
                continue
            }
            let shape = RolloutShape(fields, headerRoute: ResolvedPolicy(model, in: manifests).headerRoute)
            rendering.notes += shape.omitted.map { KServeNote(model: name, severity: .warning, message: $0) }
            let shown = shape.canary?.version ?? stable
            guard let version = versions[name]?.first(where: { $0.number == shown }), let digest = version.artifactDigest else {
                rendering.notes.append(KServeNote(model: name, severity: .skipped, message:
                    "v\(shown) is not packaged as a ModelPack artifact yet, so it has no digest to pin; render again once it is"))
                continue
            }
            let document = inferenceService(model, version: version, digest: digest, stable: stable, shape: shape, options: options)
            rendering.documents.append(KServeDocument(kind: "InferenceService", name: name, yaml: document))
            needsRuntime = true
        }
        guard badNames.isEmpty else { throw KServeNameError(problems: badNames) }
        if needsRuntime, let image = options.image {
            rendering.documents.append(KServeDocument(kind: runtimeKind, name: runtimeName, yaml: servingRuntime(image: image)))
        }
        return rendering
    }

    /// KServe's rule for an InferenceService's name (its admission webhook's
    /// `[a-z]([-a-z0-9]*[a-z0-9])?`), with Kubernetes's 63-character bound on a label.
    package static func isDNS1035Label(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, let last = bytes.last, bytes.count <= 63 else { return false }
        func lower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
        func digit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        return lower(first) && (lower(last) || digit(last)) && bytes.allSatisfy { lower($0) || digit($0) || $0 == UInt8(ascii: "-") }
    }

    /// `oci://<registry>/<model>@<digest>`: the artifact by digest, so a re-tag cannot change what serves.
    package static func storageURI(registry: String, model: String, digest: String) -> String {
        let prefix = registry.hasSuffix("/") ? String(registry.dropLast()) : registry
        return "oci://\(prefix)/\(model)@\(digest.hasPrefix("sha256:") ? digest : "sha256:" + digest)"
    }

    // MARK: Documents

    private static func inferenceService(_ model: Model, version: PackagedVersion, digest: String, stable: Int, shape: RolloutShape,
                                         options: KServeOptions) -> String {
        let name = model.metadata.name
        var metadata: [(String, YAMLNode)] = [("name", text(name))]
        if let namespace = options.namespace { metadata.append(("namespace", text(namespace))) }
        metadata.append(("labels", map([("app.kubernetes.io/managed-by", text("sextant"))])))
        var annotations: [(String, YAMLNode)] = [
            // KServe splits traffic between revisions (canaryTrafficPercent) only in Serverless mode.
            ("serving.kserve.io/deploymentMode", text("Serverless")),
            ("sextant.dev/artifact", text("\(name)-v\(version.number)")),
            ("sextant.dev/commit", text(version.commit)),
            ("sextant.dev/version", text(String(version.number))),
        ]
        if shape.canary != nil { annotations.append(("sextant.dev/stable-version", text(String(stable)))) }
        metadata.append(("annotations", map(annotations)))

        var predictor: [(String, YAMLNode)] = []
        let serving = model.spec.serving
        if let autoscaling = serving?.autoscaling {
            predictor += [("minReplicas", number(autoscaling.min)), ("maxReplicas", number(autoscaling.max)),
                          // Ray Serve's target_ongoing_requests is Knative's concurrency target.
                          ("scaleMetric", text("concurrency")),
                          ("scaleTarget", number(Int((autoscaling.targetOngoingRequests ?? AutoscalingSpec.defaultTargetOngoingRequests).rounded(.up))))]
        } else {
            let replicas = serving?.replicas ?? 1
            predictor += [("minReplicas", number(replicas)), ("maxReplicas", number(replicas))]
        }
        if let canary = shape.canary { predictor.append(("canaryTrafficPercent", number(canary.weight))) }
        predictor.append(("model", map([
            ("modelFormat", map([("name", text(modelFormat)), ("version", text("1"))])),
            ("runtime", text(runtimeName)),
            ("protocolVersion", text("v2")),
            ("storageUri", text(storageURI(registry: options.registry, model: name, digest: digest))),
        ])))
        let root = map([
            ("apiVersion", text(isvcAPIVersion)),
            ("kind", text("InferenceService")),
            ("metadata", map(metadata)),
            ("spec", map([("predictor", map(predictor))])),
        ])
        var comments = ["# \(name): v\(version.number)"
            + (shape.canary.map { " as a canary taking \($0.weight)% (KServe keeps the rest on the last rolled-out revision, v\(stable))" } ?? "")
            + ", from sextant render kserve"]
        comments += shape.omitted.map { "# Not rendered: \($0)" }
        return comments.joined(separator: "\n") + "\n" + YAMLEmitter.emit(root)
    }

    private static func servingRuntime(image: String) -> String {
        let arguments = ["serve-model", "--artifact", "/mnt/models", "--name", "{{.Name}}", "--port", String(containerPort), "--host", "0.0.0.0"]
        let root = map([
            ("apiVersion", text(runtimeAPIVersion)),
            ("kind", text(runtimeKind)),
            ("metadata", map([("name", text(runtimeName)), ("labels", map([("app.kubernetes.io/managed-by", text("sextant"))]))])),
            ("spec", map([
                ("supportedModelFormats", list([map([("name", text(modelFormat)), ("version", text("1")), ("autoSelect", flag(true))])])),
                ("protocolVersions", list([text("v2")])),
                ("containers", list([map([
                    ("name", text("kserve-container")),
                    ("image", text(image)),
                    ("command", list([text("sextant")])),
                    ("args", list(arguments.map(text))),
                    ("ports", list([map([("containerPort", number(containerPort)), ("protocol", text("TCP"))])])),
                ])])),
            ])),
        ])
        return "# The runtime of Sextant's built-in models: `sextant serve-model` on the files KServe's storage initializer puts in /mnt/models.\n"
            + YAMLEmitter.emit(root)
    }

    // MARK: Nodes

    private static let mark = SourceMark.start
    private static func text(_ value: String) -> YAMLNode { YAMLNode(.scalar(Scalar(value, style: .doubleQuoted)), mark: mark) }
    private static func number(_ value: Int) -> YAMLNode { YAMLNode(.scalar(Scalar(String(value))), mark: mark) }
    private static func flag(_ value: Bool) -> YAMLNode { YAMLNode(.scalar(Scalar(value ? "true" : "false")), mark: mark) }
    private static func list(_ items: [YAMLNode]) -> YAMLNode { YAMLNode(.sequence(items), mark: mark) }
    private static func map(_ pairs: [(String, YAMLNode)]) -> YAMLNode {
        YAMLNode(.mapping(pairs.map { YAMLNode.Pair(key: text($0.0), value: $0.1) }), mark: mark)
    }
}

/// What of a model's rollout KServe can express: a weighted canary; and what it cannot,
/// as sentences for a warning and a comment.
struct RolloutShape {
    /// The candidate and its current weight, while a canary step sends it live traffic.
    var canary: (version: Int, weight: Int)?
    var omitted: [String] = []

    init(_ fields: ObjectStatus.ModelFields, headerRoute: HeaderRoute?) {
        guard let rollout = fields.rollout, let candidate = fields.traffic.first(where: { $0.role != "stable" && $0.role != "header" }) else { return }
        switch rollout.phase {
        case .canary where candidate.weight > 0 && candidate.weight < 100:
            canary = (candidate.version, candidate.weight)
        case .canary, .switched:
            break
        case .shadow:
            omitted.append("the shadow step mirroring \(candidate.mirrorPercent ?? 100)% of requests to v\(candidate.version): KServe has no mirrored traffic, so only the stable version is rendered")
        case .preview:
            omitted.append("blueGreen's preview of v\(candidate.version) (mirrored traffic before the switch): KServe has no preview, so only the stable version is rendered; render again after the switch")
        case .experiment:
            omitted.append("the experiment's split to v\(candidate.version) (\(candidate.weight)% of units, sticky by header): KServe's canary splits requests, not units, so only the stable version is rendered")
        }
        if let headerRoute, rollout.phase != .switched {
            omitted.append("the header route \(headerRoute.name): \(headerRoute.value) to v\(candidate.version): KServe has no header routes")
        }
    }
}
