import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import SextantAPI
import Testing
@testable import SextantCore
import SextantDaemon
import SextantStore

/// The dashboard's routes on the daemon's API (DESIGN §11): pages from the saved status,
/// the registry and the store's newest events; a page for a name that is no object's is a
/// 404 page naming the nearest; the stylesheet and script with their content types.
@Suite struct DashboardRouteTests {
    typealias Fixture = DaemonAPITests.Fixture

    @Test("/ and /models/NAME answer HTML from status and the newest events; an unknown model is a 404 page with a suggestion")
    func pages() async throws {
        let fixture = try Fixture()
        let now = Date()
        let document = StatusDocument(revision: .init(branch: "main", reconciledAt: now), objects: [
            ObjectStatus(kind: .model, name: "fraud", sync: .synced, health: .healthy, phase: .serving, message: "serving v1 (r1)", createdAt: now),
            ObjectStatus(kind: .dataset, name: "tx", sync: .synced, health: .healthy, phase: .validated, message: "1200 rows", createdAt: now),
        ])
        try await fixture.store.saveStatus(document, changed: document.objects, removed: [])
        try await fixture.store.record((1...120).map { index in
            Event(time: now, kind: .model, name: index % 2 == 0 ? "fraud" : "other", reason: .unknown("Step\(index)"), message: "event \(index)", commit: nil, actor: "sextant")
        })
        try await fixture.api().application(logger: Logger(label: "test")).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let body = String(buffer: response.body)
                #expect(body.contains("href=\"/models/fraud\"") && body.contains("serving v1 (r1)"), "\(body.prefix(4000))")
                #expect(body.contains("event 120") && !body.contains("event 70<"), "the newest 50 events only")
                #expect(body.contains("data-stream=\"/api/v1/events/stream?since=120\""))
            }
            try await client.execute(uri: "/models/fraud", method: .get) { response in
                #expect(response.status == .ok)
                let body = String(buffer: response.body)
                #expect(body.contains("<h1>fraud"))
                #expect(body.contains("event 120") && !body.contains("event 119"), "only the model's events")
                #expect(body.contains("since=120&amp;name=fraud"))
            }
            try await client.execute(uri: "/models/frad", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(String(buffer: response.body).contains("did you mean"))
            }
            try await client.execute(uri: "/datasets/tx", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/slos/tx", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/dashboard/app.css", method: .get) { response in
                #expect(response.headers[.contentType] == "text/css; charset=utf-8")
            }
            try await client.execute(uri: "/dashboard/live.js", method: .get) { response in
                #expect(response.headers[.contentType] == "text/javascript; charset=utf-8")
                #expect(String(buffer: response.body).contains("EventSource"))
            }
        }
    }

    @Test("before the first pass the overview says so rather than failing")
    func beforeFirstPass() async throws {
        let fixture = try Fixture()
        try await fixture.api().application(logger: Logger(label: "test")).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("the first reconcile pass has not finished"))
            }
        }
    }
}
