import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import SextantAPI
import SextantCore
import SextantDaemon
import SextantStore

/// `GET /api/v1/status` answers from the last saved document, encoded once per save with
/// unchanged objects' JSON reused: the bytes must be those of encoding the document whole.
@Suite struct StatusBodyTests {
    static let time = Date(timeIntervalSince1970: 1_800_000_000)

    static func object(_ kind: ManifestKind, _ name: String, message: String) -> ObjectStatus {
        ObjectStatus(kind: kind, name: name, sync: .synced, health: .healthy, phase: .validated, message: message, createdAt: time)
    }

    @Test("each save's status body is the document's JSON, objects sorted; unchanged, changed, added and removed objects, a model's fields changed and back")
    func bodies() async throws {
        let fixture = try StoreFailureAPITests.Fixture()
        let first = StatusDocument(revision: .init(commit: String(repeating: "a", count: 40), branch: "main", reconciledAt: Self.time), objects: [
            Self.object(.dataset, "tx", message: "checked"), Self.object(.model, "fraud", message: "serving"), Self.object(.slo, "latency", message: "ok"),
        ])
        let second = {
            var second = first
            second.revision.commit = String(repeating: "b", count: 40)
            second.objects = [Self.object(.model, "fraud", message: "serving r2"), Self.object(.dataContract, "tx", message: "new"),
                              Self.object(.dataset, "tx", message: "checked")]
            return second
        }()
        // Only a model's own fields change (kept out of line in ObjectStatus): its old bytes must not be reused.
        let third = {
            var third = second
            third.objects[0].model = .init(stableVersion: 3, endpoints: ["http://127.0.0.1:9000"])
            return third
        }()
        try await fixture.api().application(logger: Logger(label: "test")).test(.router) { client in
            var previous: [ObjectKey] = []
            for document in [first, second, third, second] {
                let removed = previous.filter { key in !document.objects.contains { $0.key == key } }
                try await fixture.store.saveStatus(document, changed: document.objects, removed: removed)
                previous = document.objects.map(\.key)
                var sorted = document
                sorted.objects.sort { $0.key < $1.key }
                let expected = String(decoding: try StatusDocument.jsonEncoder(pretty: false).encode(sorted), as: UTF8.self)
                for _ in 0..<2 {
                    try await client.execute(uri: "/api/v1/status", method: .get) { response in
                        #expect(response.status == .ok)
                        #expect(String(buffer: response.body) == expected)
                    }
                }
            }
        }
    }
}
