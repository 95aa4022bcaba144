import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SextantAPI
import Logging
import Testing
@testable import SextantCore
import SextantDaemon
import SextantStore
import SextantTestSupport

@Suite struct WebhookSignatureTests {
    @Test("the example of GitHub's webhook documentation verifies")
    func githubVector() {
        let signature = WebhookSignature(secret: Array("It's a Secret to Everybody".utf8))
        let expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        #expect(signature.sign(Array("Hello, World!".utf8)) == expected)
        #expect(signature.verify(expected, body: Array("Hello, World!".utf8)))
        #expect(signature.verify(expected.uppercased().replacingOccurrences(of: "SHA256=", with: "sha256="), body: Array("Hello, World!".utf8)))
        #expect(!signature.verify(expected, body: Array("Hello, World?".utf8)))
        #expect(!signature.verify(nil, body: []))
        #expect(!signature.verify("sha1=abc", body: []))
        #expect(!signature.verify("sha256=zz", body: []))
    }
}

@Suite struct DaemonAPITests {
    /// An API over a fresh store, and whether its trigger fired.
    struct Fixture {
        let directory: TemporaryDirectory
        let store: SQLiteStore
        let trigger = PassTrigger()
        let readiness = Readiness()
        let metrics = DaemonMetrics()

        init() throws {
            directory = try TemporaryDirectory()
            store = try SQLiteStore(directory: directory.path)
        }

        func api(host: String = "127.0.0.1", secret: String? = nil, token: String? = nil) -> DaemonAPI {
            DaemonAPI(configuration: .init(host: host, port: 0, webhookSignature: secret.map { WebhookSignature(secret: Array($0.utf8)) }, apiToken: token),
                      store: store, stateDirectory: store.directory, trigger: trigger, metrics: metrics, readiness: readiness)
        }

        /// True when a pass was requested (consumes the request): a requested wait returns
        /// at once, an unrequested one after the whole second.
        func triggered() async -> Bool {
            await trigger.wait(upTo: .seconds(1))
        }
    }

    @Test("health, readiness after the first pass, and status before it")
    func health() async throws {
        let fixture = try Fixture()
        try await fixture.api().application(logger: Logger(label: "test")).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .serviceUnavailable) }
            try await client.execute(uri: "/api/v1/status", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body) == #"{"error":"no status yet: the first reconcile pass has not finished"}"#)
            }
            fixture.readiness.markReady()
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test("events since an id, and a bad id is a 400 that says what is expected")
    func events() async throws {
        let fixture = try Fixture()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try await fixture.store.record([EventReason.commitApplied, .datasetValidated, .pruned].map {
            Event(time: now, kind: .dataset, name: "d", reason: $0, message: "m", commit: nil, actor: "sextant")
        })
        try await fixture.api().application(logger: Logger(label: "test")).test(.router) { client in
            try await client.execute(uri: "/api/v1/events?since=1", method: .get) { response in
                #expect(response.status == .ok)
                let events = try StatusDocument.jsonDecoder().decode([Event].self, from: Data(String(buffer: response.body).utf8))
                #expect(events.map(\.reason) == [.datasetValidated, .pruned])
                #expect(events.map(\.id) == [2, 3])
            }
            try await client.execute(uri: "/api/v1/events?since=yesterday", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("since must be an event id"))
            }
        }
    }

    @Test("events of one object and kind: name and kind filter, with since; an unknown kind is a 400 naming the allowed ones")
    func filteredEvents() async throws {
        let fixture = try Fixture()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try await fixture.store.record([
            Event(time: now, kind: .repository, name: "main", reason: .commitApplied, message: "m", commit: "c1", actor: "sextant"),
            Event(time: now, kind: .model, name: "fraud", reason: .trained, message: "m", commit: "c1", actor: "sextant"),
            Event(time: now, kind: .dataset, name: "fraud", reason: .datasetValidated, message: "m", commit: "c1", actor: "sextant"),
            Event(time: now, kind: .model, name: "churn", reason: .trained, message: "m", commit: "c1", actor: "sextant"),
            Event(time: now, kind: .model, name: "fraud", reason: .deployed, message: "m", commit: "c1", actor: "sextant"),
        ])
        @Sendable func reasons(_ query: String, _ client: some TestClientProtocol) async throws -> [String] {
            try await client.execute(uri: "/api/v1/events?" + query, method: .get) { response in
                #expect(response.status == .ok, "\(query): \(String(buffer: response.body))")
                return try StatusDocument.jsonDecoder().decode([Event].self, from: Data(String(buffer: response.body).utf8)).map { "\($0.kind)/\($0.name) \($0.reason)" }
            }
        }
        try await fixture.api().application(logger: Logger(label: "test")).test(.router) { client in
            #expect(try await reasons("name=fraud", client) == ["Model/fraud Trained", "Dataset/fraud DatasetValidated", "Model/fraud Deployed"])
            #expect(try await reasons("name=fraud&kind=Model", client) == ["Model/fraud Trained", "Model/fraud Deployed"])
            #expect(try await reasons("kind=model", client) == ["Model/fraud Trained", "Model/churn Trained", "Model/fraud Deployed"], "kinds as people type them")
            #expect(try await reasons("since=2&name=fraud&kind=Model", client) == ["Model/fraud Deployed"])
            #expect(try await reasons("name=nobody", client) == [])
            try await client.execute(uri: "/api/v1/events/stream?kind=Modle", method: .get) { response in
                #expect(response.status == .badRequest, "the stream checks its parameters as the log does")
            }
            try await client.execute(uri: "/api/v1/events?kind=Modle", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("kind must be one of Model, Dataset, DataContract, SLO, RolloutPolicy, Repository, Gateway, Store, not \\\"Modle\\\""),
                        "\(String(buffer: response.body))")
            }
        }
    }

    @Test("webhook with a secret: a good signature fetches at once; a wrong or missing one is 401 and fetches nothing")
    func signedWebhook() async throws {
        let fixture = try Fixture()
        let body = #"{"ref":"refs/heads/main"}"#
        let good = WebhookSignature(secret: Array("s3cret".utf8)).sign(Array(body.utf8))
        let bad = WebhookSignature(secret: Array("guess".utf8)).sign(Array(body.utf8))
        try await fixture.api(secret: "s3cret").application(logger: Logger(label: "test")).test(.router) { client in
            try await client.execute(uri: "/api/v1/hooks/git", method: .post, headers: [.init("X-Hub-Signature-256")!: bad], body: .init(string: body)) {
                #expect($0.status == .unauthorized)
            }
            #expect(await !fixture.triggered())
            try await client.execute(uri: "/api/v1/hooks/git", method: .post, body: .init(string: body)) {
                #expect($0.status == .unauthorized)
            }
            #expect(await !fixture.triggered())
            try await client.execute(uri: "/api/v1/hooks/git", method: .post, headers: [.init("X-Hub-Signature-256")!: good], body: .init(string: body)) {
                #expect($0.status == .accepted)
            }
            #expect(await fixture.triggered())
        }
        #expect(fixture.metrics.exposition().contains(#"sextant_webhook_requests_total{result="unauthorized"} 2"#))
        #expect(fixture.metrics.exposition().contains(#"sextant_webhook_requests_total{result="accepted"} 1"#))
    }

    @Test("webhook without a secret: fine on loopback; beyond it only with the bearer token")
    func unsignedWebhook() async throws {
        let fixture = try Fixture()
        try await fixture.api(host: "127.0.0.1").application(logger: Logger(label: "test")).test(.router) { client in
            try await client.execute(uri: "/api/v1/hooks/git", method: .post) { #expect($0.status == .accepted) }
        }
        #expect(await fixture.triggered())
        try await fixture.api(host: "0.0.0.0", token: "t0ken").application(logger: Logger(label: "test")).test(.router) { client in
            try await client.execute(uri: "/api/v1/hooks/git", method: .post) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/v1/hooks/git", method: .post, headers: [.authorization: "Bearer wrong"]) { #expect($0.status == .unauthorized) }
            #expect(await !fixture.triggered())
            try await client.execute(uri: "/api/v1/hooks/git", method: .post, headers: [.authorization: "Bearer t0ken"]) { #expect($0.status == .accepted) }
        }
        #expect(await fixture.triggered())
    }

    @Test("promote, abort and retry: queued for the next pass with the caller as actor; a token beyond loopback; 404 for an unknown model or decision")
    func decisions() async throws {
        let fixture = try Fixture()
        let now = Date()
        let document = StatusDocument(revision: .init(branch: "main", reconciledAt: now), objects: [
            ObjectStatus(kind: .model, name: "fraud", sync: .outOfSync, health: .suspended, phase: .rollingOut, message: "", createdAt: now),
        ])
        try await fixture.store.saveStatus(document, changed: document.objects, removed: [])
        try await fixture.api(host: "127.0.0.1").application(logger: Logger(label: "test")).test(.router) { client in
            try await client.execute(uri: "/api/v1/models/fraud/promote", method: .post, headers: [HTTPField.Name("X-Sextant-Actor")!: "ana"]) {
                #expect($0.status == .accepted)
            }
            try await client.execute(uri: "/api/v1/models/ghost/abort", method: .post) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/v1/models/fraud/delete", method: .post) { #expect($0.status == .notFound) }
        }
        #expect(await fixture.triggered())
        try await fixture.api(host: "0.0.0.0", token: "t0ken").application(logger: Logger(label: "test")).test(.router) { client in
            try await client.execute(uri: "/api/v1/models/fraud/abort", method: .post) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/v1/models/fraud/abort", method: .post, headers: [.authorization: "Bearer wrong"]) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/v1/models/fraud/retry", method: .post, headers: [.authorization: "Bearer t0ken"]) { #expect($0.status == .accepted) }
        }
        let requests = try await fixture.store.takeRequests()
        #expect(requests.map(\.decision) == [.promote, .retry])
        #expect(requests.map(\.actor) == ["api:ana", "api"])
    }

    @Test("the card route: 404 naming an unknown model, 400 for a version that is not a number")
    func cardRefusals() async throws {
        let fixture = try Fixture()
        try await fixture.api().application(logger: Logger(label: "test")).test(.router) { client in
            try await client.execute(uri: "/api/v1/models/ghost/card", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("no model ghost"))
            }
            try await client.execute(uri: "/api/v1/models/ghost/card?version=two", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("version=two is not a version"))
            }
        }
    }

    @Test("metrics: every family has help and a type; object gauges follow status")
    func metrics() throws {
        let metrics = DaemonMetrics()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func status(_ health: HealthStatus) -> StatusDocument {
            StatusDocument(revision: .init(branch: "main", reconciledAt: now), objects: [
                ObjectStatus(kind: .dataset, name: "d", sync: .synced, health: health, phase: .validated, message: "", createdAt: now),
            ])
        }
        metrics.passFinished(duration: .milliseconds(30), actions: 1, failures: 0, status: status(.healthy))
        metrics.passFinished(duration: .milliseconds(30), actions: 1, failures: 0, status: status(.degraded))
        metrics.fetched(duration: .milliseconds(5), failed: true)
        let text = metrics.exposition()
        #expect(text.contains(#"sextant_objects{kind="Dataset",sync="Synced",health="Healthy"} 0.0"#))
        #expect(text.contains(#"sextant_objects{kind="Dataset",sync="Synced",health="Degraded"} 1.0"#))
        #expect(text.contains("sextant_reconcile_passes_total 2"))
        #expect(text.contains(#"sextant_git_fetches_total{result="failed"} 1"#))
        let families = Set(text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { $0.split(separator: "{").first?.split(separator: " ").first }
            .map { String($0).replacingOccurrences(of: "_bucket", with: "").replacingOccurrences(of: "_sum", with: "").replacingOccurrences(of: "_count", with: "") })
        for family in families {
            #expect(text.contains("# HELP \(family) "), "\(family) has no help")
            #expect(text.contains("# TYPE \(family) "), "\(family) has no type")
        }
    }
}
