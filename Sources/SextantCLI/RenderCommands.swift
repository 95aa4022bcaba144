import ArgumentParser
import Foundation
import SextantAPI
import SextantCore
import SextantStore

/// `sextant render`: the desired state as another system's manifests.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write the current desired state as another system's manifests.",
        discussion: """
            Examples:
              sextant render kserve --path examples/quickstart \\
                  --registry registry.example.com/ml
            """,
        subcommands: [RenderKServeCommand.self]
    )
}

/// `sextant render kserve` (DESIGN §12 "KServe", docs/kserve.md).
struct RenderKServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kserve",
        abstract: "KServe InferenceService manifests of what serves: OIP v2, the ModelPack artifact by digest, the canary's weight.",
        discussion: """
            Reads the manifests under --path (as `validate` does) and, from the state
            directory (or a daemon's API with --server, as replicas on PostgreSQL need),
            what serves each model and its versions' ModelPack digests. Each
            model served by the built-in runtime becomes an InferenceService whose
            storageUri is oci://REGISTRY/MODEL@DIGEST (copy the artifacts there first,
            e.g. with skopeo) and, mid-canary, the candidate with canaryTrafficPercent set
            to its current weight. Shadow, blueGreen previews, experiments and header
            routes have no KServe equivalent: they are left out with a warning and a
            comment. Models with serving.runtime command or rayServe are skipped, saying
            so. With --image, the sextant-oip ClusterServingRuntime they run on is written
            too. Render again after each rollout step to follow Sextant.

            Output: one YAML stream on standard output, or with -o DIR a file
            DIR/MODEL.yaml per model (and DIR/clusterservingruntime-sextant-oip.yaml).
            Exit status: 0 rendered (skipped models are reported on standard error),
            2 invalid manifests, a model name KServe refuses, or a usage error.

            Examples:
              sextant render kserve --path examples/quickstart \\
                  --registry registry.example.com/ml --namespace ml
              sextant render kserve --path examples/quickstart \\
                  --registry registry.example.com/ml \\
                  --image registry.example.com/sextant:0.1 -o kserve/
              sextant render kserve --path examples/quickstart \\
                  --registry registry.example.com/ml --server http://127.0.0.1:7070
            """
    )

    @Option(help: ArgumentHelp("The watched root: the directory of manifests.", valueName: "dir"))
    var path: String = "."

    @Option(help: ArgumentHelp("The state directory of the daemon or `reconcile --once`: what serves and the artifacts' digests (default .sextant).", valueName: "dir"))
    var stateDir: String?

    @Option(help: ArgumentHelp("A running daemon's API, e.g. http://127.0.0.1:7070, instead of --state-dir (replicas on PostgreSQL are read this way).", valueName: "url"))
    var server: String?

    @Option(help: ArgumentHelp("The OCI repository the ModelPack artifacts were copied to, e.g. registry.example.com/ml (artifact REPO/MODEL@DIGEST).", valueName: "repo"))
    var registry: String

    @Option(help: ArgumentHelp("The namespace of the InferenceServices (default: none, kubectl's).", valueName: "ns"))
    var namespace: String?

    @Option(help: ArgumentHelp("The container image with the sextant binary: writes the sextant-oip ClusterServingRuntime too.", valueName: "image"))
    var image: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Write DIR/MODEL.yaml per model instead of one stream on standard output.", valueName: "dir"))
    var output: String?

    func validate() throws {
        try StatusSource.validate(stateDir: stateDir, server: server)
        if registry.isEmpty || registry.contains("://") || registry.contains("@") || registry.contains(where: \.isWhitespace) {
            throw ValidationError("--registry \(registry) must be a repository without scheme or digest, e.g. registry.example.com/ml")
        }
        if let namespace, !(RenderKServeCommand.isDNS1123Label(namespace)) {
            throw ValidationError("--namespace \(namespace) is not a Kubernetes namespace name (lowercase letters, digits and '-', at most 63 characters)")
        }
        if let image, image.isEmpty || image.contains(where: \.isWhitespace) {
            throw ValidationError("--image must name a container image, e.g. registry.example.com/sextant:0.1")
        }
    }

    func run() async throws {
        let manifests = try loadManifests()
        let status: [ObjectStatus], versions: [String: [KServeRenderer.PackagedVersion]]
        if let server {
            (status, versions) = try await Self.read(from: server, manifests: manifests)
        } else {
            (status, versions) = try readStateDirectory()
        }
        let rendering: KServeRendering
        do throws(KServeNameError) {
            rendering = try KServeRenderer.render(manifests: manifests, status: status, versions: versions,
                                                  options: KServeOptions(registry: registry, namespace: namespace, image: image))
        } catch {
            throw CommandFailure(message: error.description)
        }
        for note in rendering.notes { printError(note.description) }
        if image == nil, rendering.documents.contains(where: { $0.kind == "InferenceService" }) {
            printError("note: the InferenceServices use the \(KServeRenderer.runtimeName) ClusterServingRuntime; give --image IMAGE to write it too (once per cluster)")
        }
        if rendering.documents.isEmpty { printError("warning: nothing rendered: no model under \(path) has a served, packaged version on the built-in runtime") }
        if let output {
            try write(rendering, to: output)
        } else {
            print(rendering.stream, terminator: "")
        }
    }

    /// What serves and what was packaged, from the state directory's store.
    private func readStateDirectory() throws -> ([ObjectStatus], [String: [KServeRenderer.PackagedVersion]]) {
        let directory = stateDir ?? ".sextant"
        do {
            let store = try SQLiteStore(readingFrom: directory)
            guard let document = try store.status() else {
                throw CommandFailure(message: "no status in \(directory) yet: the reconciler has not finished a pass; run `sextant reconcile --once` or give --state-dir")
            }
            return (document.objects, try store.registries().mapValues { $0.versions.map(KServeRenderer.PackagedVersion.init) })
        } catch let error as StoreError {
            throw CommandFailure(message: error.message + " (give the state directory of the daemon or `reconcile --once` with --state-dir)")
        }
    }

    /// The same from a daemon's API: its status, and the history of each model of the
    /// manifests that it has trained.
    private static func read(from server: String, manifests: ManifestSet) async throws -> ([ObjectStatus], [String: [KServeRenderer.PackagedVersion]]) {
        let status = try await DaemonRead.get(StatusDocument.self, server: server, path: "/api/v1/status", what: "Sextant status").objects
        var versions: [String: [KServeRenderer.PackagedVersion]] = [:]
        for model in status.filter({ $0.kind == .model && $0.model?.stableVersion != nil }).map(\.name)
        where manifests.models.contains(where: { $0.metadata.name == model }) {
            let history = try await DaemonRead.get(HistoryDocument.self, server: server, path: "/api/v1/models/\(model)/history", what: "a model's history")
            versions[model] = history.versions.map(KServeRenderer.PackagedVersion.init)
        }
        return (status, versions)
    }

    private func loadManifests() throws -> ManifestSet {
        let result: ManifestLoader.Result
        do throws(SourceError) {
            result = try ManifestLoader().load(try DirectorySource(root: path))
        } catch {
            throw CommandFailure(message: error.message + " (--path names the watched root)")
        }
        guard result.isValid else {
            throw CommandFailure(message: "the manifests under \(path) are invalid; `sextant validate \(path)` lists every problem:\n"
                + result.diagnostics.prefix(5).map(\.description).joined(separator: "\n"))
        }
        if result.fileCount == 0 {
            throw CommandFailure(message: "--path \(path): no .yaml or .yml manifests found; is this the watched root?")
        }
        return result.manifests
    }

    private func write(_ rendering: KServeRendering, to directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for document in rendering.documents {
                let file = (directory as NSString).appendingPathComponent(document.fileName)
                try Data(document.yaml.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
                print("wrote \(file)")
            }
        } catch {
            throw CommandFailure(message: "-o \(directory): cannot write there: \(error.localizedDescription)")
        }
    }

    /// A namespace's name rule (RFC 1123 label).
    static func isDNS1123Label(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, let last = bytes.last, bytes.count <= 63 else { return false }
        func alphanumeric(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
        return alphanumeric(first) && alphanumeric(last) && bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") }
    }
}
