import Foundation
import SextantRayServe
import SextantTestSupport
import Testing

/// The Python package as the binary carries it: every file of runtimes/ray/sextant_serve,
/// byte for byte, and nothing else.
@Suite struct RayServePackageTests {
    @Test("the embedded files are runtimes/ray/sextant_serve's Python files, byte for byte")
    func embeddedFilesMatchTheSources() throws {
        let directory = packageRoot + "/runtimes/ray/sextant_serve"
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".py") }.sorted()
        #expect(RayServePackage.files.map(\.path) == onDisk.map { "sextant_serve/" + $0 },
                "a Python file was added or removed: list it in Package.swift (SextantRayServe resources) and runtimes/ray/Swift/RayServePackage.swift")
        for file in RayServePackage.files {
            let source = try Data(contentsOf: URL(fileURLWithPath: packageRoot + "/runtimes/ray/" + file.path))
            #expect(Data(file.contents) == source, "\(file.path) differs from the embedded copy")
        }
    }

    @Test("write(into:) lays the package out so that Python imports it")
    func writtenPackageIsComplete() throws {
        let work = try TemporaryDirectory()
        try RayServePackage.write(into: URL(fileURLWithPath: work.path))
        for file in RayServePackage.files {
            #expect(FileManager.default.contents(atPath: work.path + "/" + file.path) == Data(file.contents))
        }
        #expect(RayServePackage.importPath.hasPrefix(RayServePackage.name + "."))
    }
}
