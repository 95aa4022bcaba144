import Testing
@testable import SextantCLI
import SextantAPI
import SextantYAML

@Suite struct ValidateOutputTests {
    @Test("GitHub annotations escape what the runner would misread")
    func githubEscaping() {
        let diagnostic = Diagnostic(file: "./a,b:c.yaml", mark: .init(line: 2, column: 3), message: "100% wrong\nsecond line")
        let result = ManifestLoader.Result(manifests: ManifestSet([]), diagnostics: [diagnostic], fileCount: 1)
        let text = ValidateCommand.github(.init(label: "x", result: result))
        #expect(text.hasPrefix("::error file=a%2Cb%3Ac.yaml,line=2,col=3::100%25 wrong%0Asecond line\n"))
    }
}
