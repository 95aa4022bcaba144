import Testing
import SextantGit

@Suite struct UnifiedDiffTests {
    static let before = Array("a: 1\nb: 2\nc: 3\n".utf8)
    static let after = Array("a: 1\nb: 20\nc: 3\n".utf8)

    @Test("a changed line, with its context, as git diff prints it")
    func changed() throws {
        let patch = try UnifiedDiff.patch(from: Self.before, to: Self.after, path: "m.yaml")
        #expect(patch.contains("--- a/m.yaml\n+++ b/m.yaml\n@@ -1,3 +1,3 @@\n a: 1\n-b: 2\n+b: 20\n c: 3\n"), "\(patch)")
    }

    @Test("an added file is all additions, a removed one all deletions; equal contents have no patch")
    func addedRemoved() throws {
        let added = try UnifiedDiff.patch(from: nil, to: Self.after, path: "m.yaml")
        #expect(added.contains("+b: 20\n") && !added.contains("\n-b"), "\(added)")
        let removed = try UnifiedDiff.patch(from: Self.before, to: nil, path: "m.yaml")
        #expect(removed.contains("-b: 2\n") && !removed.contains("\n+b"), "\(removed)")
        #expect(try UnifiedDiff.patch(from: Self.before, to: Self.before, path: "m.yaml") == "")
    }
}
