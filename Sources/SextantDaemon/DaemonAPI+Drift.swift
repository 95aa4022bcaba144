import Foundation
import Hummingbird
import SextantAPI
import SextantCore
import SextantStore

extension DaemonAPI {
    /// `GET /api/v1/models/{name}/drift` (DESIGN §7): the model's last drift report from
    /// status; 200 with `reason` when there is no verdict; 404 naming an unknown model.
    func addDriftRoutes(to router: Router<BasicRequestContext>) {
        router.get("api/v1/models/:name/drift") { _, context in
            let name = context.parameters.get("name") ?? ""
            guard let document = try await store.savedStatus()?.document else {
                return Self.error("no status yet: the first reconcile pass has not finished", status: .serviceUnavailable)
            }
            let models = document.objects.filter { $0.kind == .model }
            guard let object = models.first(where: { $0.name == name }) else {
                return Self.error("no model \(name)" + UnknownName.hint(name, known: models.map(\.name), listing: "GET /api/v1/status"), status: .notFound)
            }
            return Self.json(object.model?.drift ?? DriftReport.absent(model: name, status: object, at: document.revision.reconciledAt ?? Date()))
        }
    }
}
