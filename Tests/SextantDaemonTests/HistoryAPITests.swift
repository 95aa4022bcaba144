import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import SextantAPI
import SextantCore
import SextantStore
@testable import SextantDaemon
import SextantTestSupport
import Testing

/// `GET /api/v1/models/{name}/history` (DESIGN §4, §5).
@Suite struct HistoryAPITests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a model's history is `history -o json`'s document, read from the store; unknown and untrained models are 404s saying so")
    func route() async throws {
        let fixture = try DaemonAPITests.Fixture()
        try await fixture.api().application(logger: Logger(label: "test")).test(.router) { client in
            try await client.execute(uri: "/api/v1/models/fraud/history", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try JSONDecoder().decode([String: String].self, from: Data(String(buffer: response.body).utf8))
                #expect(body == ["error": "no model fraud in the registry (nothing was trained yet)"])
            }
        }

        let key = ObjectKey(.model, "fraud-detector")
        var registry = ModelRegistry(model: "fraud-detector")
        registry.versions = [ModelVersion(number: 1, fingerprint: "f", commit: String(repeating: "c", count: 40), datasetSha256: "d", contractSha256: "k",
                                          trainer: "logistic-regression", modelDirectory: "models/fraud-detector/v1", trainingRows: 80, holdoutRows: 20,
                                          createdAt: Self.now)]
        registry.revisions = [ModelRevision(number: 1, version: 1, servingFingerprint: "s", commit: String(repeating: "c", count: 40), servingLaunch: nil,
                                            evaluation: Evaluation(fingerprint: "e", metrics: ["auc": 0.95],
                                                                   gates: [GateResult(metric: "auc", value: 0.95, min: 0.9, max: nil, passed: true)],
                                                                   incumbent: nil, holdoutRows: 20, seconds: 1, evaluatedAt: Self.now),
                                            createdAt: Self.now)]
        let id = try await fixture.store.startAction(JournalEntry(action: "Train", key: key, fingerprint: "f", attempt: 1, commit: "c", input: "{}", startedAt: Self.now))
        try await fixture.store.finishAction(id, JournalOutcome(state: .succeeded, output: "v1", finishedAt: Self.now),
                                             update: .model(ObservedObject(key: key, fingerprint: "f", updatedAt: Self.now), registry), events: [])
        let expected = HistoryDocument(registry, resources: [:])

        try await fixture.api().application(logger: Logger(label: "test")).test(.router) { client in
            try await client.execute(uri: "/api/v1/models/fraud-detector/history", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let body = Data(String(buffer: response.body).utf8)
                #expect(try StatusDocument.jsonDecoder().decode(HistoryDocument.self, from: body) == expected)
                let root = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
                let version = try #require((root["versions"] as? [[String: Any]])?.first)
                #expect(Set(["version", "fingerprint", "commit", "datasetSha256", "contractSha256", "trainer", "artifactDigest", "createdAt", "revisions"])
                        .isSubset(of: version.keys), "DESIGN §4's keys")
            }
            try await client.execute(uri: "/api/v1/models/fraud-detectr/history", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains(#"no model fraud-detectr in the registry; did you mean \"fraud-detector\"?"#),
                        "\(String(buffer: response.body))")
            }
        }
    }
}
