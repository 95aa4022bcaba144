import SextantAPI

/// A watched root holding one manifest file (the input) and, for the paths manifests
/// name, a fixed answer by the path's look: `*.csv`/`*.parquet` are small data files (an
/// LFS pointer when the name says `lfs`), names without an extension are directories,
/// anything else is missing. Deterministic, so a crash reproduces from its input alone.
struct OneFileSource: ManifestSource {
    static let manifestPath = "fuzz.yaml"
    static let data = Array("amount,hour,is_fraud\n1.5,3,0\n".utf8)
    static let lfsPointer = Array("version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 1\n".utf8)

    var manifest: [UInt8]

    func displayPath(_ path: String) -> String { path }

    func listFiles() throws(SourceError) -> [SourceFile] {
        [SourceFile(path: Self.manifestPath)]
    }

    func read(_ path: String) throws(SourceError) -> [UInt8] {
        if path == Self.manifestPath { return manifest }
        guard status(of: path) == .file else { throw SourceError("no file \(path)") }
        return path.contains("lfs") ? Self.lfsPointer : Self.data
    }

    func byteCount(_ path: String) -> Int? {
        path == Self.manifestPath ? manifest.count : nil
    }

    func status(of path: String) -> PathStatus {
        if path == Self.manifestPath || path.hasSuffix(".csv") || path.hasSuffix(".parquet") { return .file }
        let name = path.split(separator: "/").last ?? ""
        return name.contains(".") ? .missing : .directory
    }
}
