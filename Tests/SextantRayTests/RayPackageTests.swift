import Foundation
import SextantTestSupport
import Testing

@testable import SextantRay

@Suite struct RayPackageTests {
    @Test("a directory's files, sorted by path, executables kept, named by the SHA-256 of the zip")
    func package() throws {
        let work = try TemporaryDirectory()
        try work.write("b.txt", "b")
        let script = try work.write("a/run.sh", "#!/bin/sh\necho hi\n")
        chmod(script, 0o750)
        try work.write("a/z/deep.txt", "deep")
        let package = try RayPackage(directory: work.path)
        #expect(package.fileCount == 3)
        #expect(package.uri.wholeMatch(of: /gcs:\/\/_ray_pkg_[0-9a-f]{64}\.zip/) != nil)
        #expect(package.name == String(package.uri.dropFirst(6)))
        #expect(package.archive == (try ZipArchive.archive([
            ZipArchive.Entry(path: "a/run.sh", contents: Array("#!/bin/sh\necho hi\n".utf8), mode: 0o755),
            ZipArchive.Entry(path: "a/z/deep.txt", contents: Array("deep".utf8)),
            ZipArchive.Entry(path: "b.txt", contents: Array("b".utf8)),
        ])))
    }

    @Test("the same files in another directory give the same URI; a changed file another")
    func contentAddressed() throws {
        let first = try TemporaryDirectory(), second = try TemporaryDirectory()
        for work in [first, second] {
            try work.write("model/weights.bin", "0123")
            try work.write("serve.py", "print(1)")
        }
        #expect(try RayPackage(directory: first.path).uri == RayPackage(directory: second.path).uri)
        try second.write("serve.py", "print(2)")
        #expect(try RayPackage(directory: first.path).uri != RayPackage(directory: second.path).uri)
    }

    @Test("a missing directory is an error naming it")
    func missing() throws {
        let work = try TemporaryDirectory()
        #expect(throws: RayPackageError(directory: work.path + "/nope", reason: "not a directory")) {
            try RayPackage(directory: work.path + "/nope")
        }
        #expect(RayPackageError(directory: "/x", reason: "not a directory").description == "cannot package /x for Ray: not a directory")
    }
}
