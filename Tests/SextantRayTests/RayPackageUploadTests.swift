import Foundation
import SextantRay
import SextantTestSupport
import Testing

@Suite(.enabled(if: RayCluster.isAvailable, RayCluster.unavailable), .rayCluster, .timeLimit(.minutes(10)))
struct RayPackageUploadTests {
    @Test("a package is uploaded once: the same files again are already there, a changed file is another package")
    func uploadedOnce() async throws {
        let client = try RayCluster.client()
        let work = try TemporaryDirectory()
        try work.write("run.py", "print('\(UUID())')")
        let package = try RayPackage(directory: work.path)
        #expect(try await client.upload(package) == .uploaded)
        #expect(try await client.upload(try RayPackage(directory: work.path)) == .alreadyPresent)
        try work.write("run.py", "print('changed')")
        let changed = try RayPackage(directory: work.path)
        #expect(changed.uri != package.uri)
        #expect(try await client.upload(changed) == .uploaded)
    }
}
