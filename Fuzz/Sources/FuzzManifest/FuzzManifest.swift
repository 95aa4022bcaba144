import SextantAPI
import SextantYAML

// Bytes → one manifest file → `ManifestLoader` (libyaml under `YAMLLimits.default`, the
// decoders, validation, references), as `sextant validate` reads a repository; then, for
// a valid set, the fingerprints the planner computes next from the same manifests.

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let source = OneFileSource(manifest: Array(UnsafeBufferPointer(start: data, count: size)))
    guard let result = try? ManifestLoader(limits: .default).load(source) else { return 0 }
    for diagnostic in result.diagnostics { _ = diagnostic.description }
    guard result.isValid else { return 0 }
    let manifests = result.manifests
    for model in manifests.models {
        _ = ModelFingerprint.training(of: model, in: manifests, datasetSha256: "0", trainer: .builtin(name: "fuzz", algorithmVersion: 1))
        _ = ModelFingerprint.serving(of: model, contextSha256: nil, builtinServerVersion: 1)
    }
    return 0
}
