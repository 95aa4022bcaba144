import Testing
import SextantAPI
import SextantTestSupport

@Suite struct QuickstartTests {
    @Test("the quickstart example is a valid repository with every kind")
    func quickstartIsValid() throws {
        let result = try ManifestLoader().load(DirectorySource(root: "\(packageRoot)/examples/quickstart"))
        #expect(result.diagnostics.map(\.description) == [])
        #expect(result.manifests.countsByKind.map(\.kind) == ManifestKind.allCases)
        let model = try #require(result.manifests.models.first)
        #expect(model.metadata.name == "fraud-detector")
        #expect(result.manifests.resolvedFeatures(of: model) == ["amount", "hour", "merchant_risk", "account_age_days"])
    }
}
