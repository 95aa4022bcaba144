import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SextantAPI
import SextantCore
import SextantDashboard
import SextantStore

extension DaemonAPI {
    /// The read-only web UI (DESIGN §11): `/` (every object), `/models/{name}`,
    /// `/datasets/{name}`, `/slos/{name}`, and their stylesheet and script under
    /// `/dashboard/`. Pages read what the API reads (the saved status, the registries, the
    /// newest events) and are open where the API's reads are.
    func addDashboardRoutes(to router: Router<BasicRequestContext>) {
        let dashboard = Dashboard()
        router.get("/") { _, _ in
            Self.html(dashboard.overview(try await store.savedStatus()?.document, events: try await store.latestEvents(limit: Dashboard.eventLimit, name: nil, kind: nil), now: Date()))
        }
        router.get("models/:name") { _, context in
            let name = context.parameters.get("name") ?? ""
            let status = try await store.savedStatus()?.document
            let page = dashboard.model(name, status: status, registry: try await store.registry(of: name),
                                       events: try await store.latestEvents(limit: Dashboard.eventLimit, name: name, kind: .model), now: Date())
            return page.map { Self.html($0) } ?? missing(dashboard, "model", name, kind: .model, status: status)
        }
        router.get("datasets/:name") { _, context in
            let name = context.parameters.get("name") ?? ""
            let status = try await store.savedStatus()?.document
            let page = dashboard.dataset(name, status: status, events: try await store.latestEvents(limit: Dashboard.eventLimit, name: name, kind: .dataset), now: Date())
            return page.map { Self.html($0) } ?? missing(dashboard, "dataset", name, kind: .dataset, status: status)
        }
        router.get("slos/:name") { _, context in
            let name = context.parameters.get("name") ?? ""
            let status = try await store.savedStatus()?.document
            let page = dashboard.slo(name, status: status, events: try await store.latestEvents(limit: Dashboard.eventLimit, name: name, kind: .slo), now: Date())
            return page.map { Self.html($0) } ?? missing(dashboard, "SLO", name, kind: .slo, status: status)
        }
        router.get("dashboard/app.css") { _, _ in
            Self.text(DashboardAssets.stylesheet, contentType: "text/css; charset=utf-8")
        }
        router.get("dashboard/live.js") { _, _ in
            Self.text(DashboardAssets.script, contentType: "text/javascript; charset=utf-8")
        }
    }

    /// 404 with a page naming what was asked and the nearest name there is.
    private func missing(_ dashboard: Dashboard, _ what: String, _ name: String, kind: ManifestKind, status: StatusDocument?) -> Response {
        let known = status?.objects.filter { $0.kind == kind }.map(\.name) ?? []
        let message = "No \(what) named \"\(name)\"" + UnknownName.hint(name, known: known, listing: "the overview") + "."
        return Self.html(dashboard.missing(message, status: status, now: Date()), status: .notFound)
    }

    static func html(_ page: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: page)))
    }
}
