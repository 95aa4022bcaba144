import Foundation
import Testing
import SextantAPI
@testable import SextantCLI
import SextantTestSupport

/// The plan a pull request of Sextant's carries: `sextant plan -o markdown` between two commits.
@Suite struct PlanMarkdownTests {
    @Test("the plan of a branch names the base and head and the Model's changed field, read from a bare mirror")
    func planOfBranch() async throws {
        let fixture = try QuickstartRepository.make()
        let base = try fixture.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let file = fixture.path + "/models/fraud-detector.yaml"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "    # hyperparameters: {l2: 0.01}", with: "    hyperparameters: {l2: 0.01}")
            .write(toFile: file, atomically: true, encoding: .utf8)
        _ = try fixture.git("commit", "-qam", "l2")
        let head = try fixture.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let state = try TemporaryDirectory("sextant-plan")
        _ = try fixture.git("clone", "-q", "--mirror", fixture.path, state.path + "/source.git")

        let markdown = try #require(PlanCommand.markdown(mirror: state.path + "/source.git", root: "", base: base, head: head,
                                                         stateDir: state.path, dataRoots: [], classified: .default))
        #expect(markdown.contains("### Sextant plan: `\(base)` → `\(head)`"), "\(markdown)")
        #expect(markdown.contains("#### Model `fraud-detector`") && markdown.contains("hyperparameters"), "\(markdown)")
    }
}

/// The quickstart in a Git repository of its own.
enum QuickstartRepository {
    static func make() throws -> GitFixture {
        let fixture = try GitFixture()
        var files: [String: String] = [:]
        let root = "\(packageRoot)/examples/quickstart"
        let enumerator = FileManager.default.enumerator(atPath: root)!
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            files[path] = try String(contentsOfFile: root + "/" + path, encoding: .utf8)
        }
        _ = try fixture.commit("first", files: files)
        return fixture
    }
}
