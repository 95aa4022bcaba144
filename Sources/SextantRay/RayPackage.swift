import Foundation
import Crypto

/// A directory's files as one Ray package: a reproducible stored zip named by its content,
/// `gcs://_ray_pkg_<SHA-256 of the zip>.zip`, the way Ray's job SDK names the working
/// directories it uploads (`_ray_pkg_<hash>.zip` in the GCS). The same files give the same
/// name, so a package is uploaded once; one changed byte or mode gives another.
public struct RayPackage: Sendable {
    /// The URI to give as `runtime_env.working_dir` once uploaded.
    public let uri: String
    /// The zip's bytes.
    public let archive: [UInt8]
    /// How many files it holds.
    public let fileCount: Int

    /// The package of every regular file under `directory` (a symbolic link to a file counts as that file),
    /// by their paths relative to it, sorted, so Ray unpacks them as the working directory itself.
    public init(directory: String) throws(RayPackageError) {
        let files = try Self.files(under: URL(fileURLWithPath: directory))
        do {
            archive = try ZipArchive.archive(files)
        } catch {
            throw RayPackageError(directory: directory, reason: error.description)
        }
        fileCount = files.count
        uri = "gcs://_ray_pkg_" + SHA256.hash(data: archive).map { String(format: "%02x", $0) }.joined() + ".zip"
    }

    /// The package's name inside the GCS, the last part of the `gcs://` URI.
    public var name: String { String(uri.dropFirst("gcs://".count)) }

    private static func files(under root: URL) throws(RayPackageError) -> [ZipArchive.Entry] {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RayPackageError(directory: root.path, reason: "not a directory")
        }
        guard let paths = fileManager.subpaths(atPath: root.path) else {
            throw RayPackageError(directory: root.path, reason: "cannot be listed")
        }
        var entries: [ZipArchive.Entry] = []
        for path in paths.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            let full = root.appendingPathComponent(path).path
            guard let attributes = try? fileManager.attributesOfItem(atPath: (full as NSString).resolvingSymlinksInPath),
                  attributes[.type] as? FileAttributeType == .typeRegular
            else { continue }
            guard let contents = fileManager.contents(atPath: full) else {
                throw RayPackageError(directory: root.path, reason: "\(path) cannot be read")
            }
            let permissions = (attributes[.posixPermissions] as? NSNumber)?.uint16Value ?? 0o644
            entries.append(ZipArchive.Entry(path: path, contents: Array(contents), mode: permissions & 0o111 != 0 ? 0o755 : 0o644))
        }
        return entries
    }
}

/// A directory that cannot become a Ray package.
public struct RayPackageError: Error, Equatable, CustomStringConvertible, Sendable {
    public let directory: String
    public let reason: String

    public var description: String { "cannot package \(directory) for Ray: \(reason)" }
}
