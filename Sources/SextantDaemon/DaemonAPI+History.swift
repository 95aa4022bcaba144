import Foundation
import Hummingbird
import SextantAPI
import SextantCore

extension DaemonAPI {
    /// `GET /api/v1/models/{name}/history` (DESIGN §4, §5): the JSON of `sextant history
    /// -o json`, read from the store (a follower answers from the leader's database); 404
    /// naming a model nothing was trained for, with the nearest name.
    func addHistoryRoutes(to router: Router<BasicRequestContext>) {
        router.get("api/v1/models/:name/history") { _, context in
            let name = context.parameters.get("name") ?? ""
            let registries = try await store.registries()
            guard let registry = registries[name] else {
                return Self.error(HistoryDocument.unknownModel(name, known: Array(registries.keys), in: "the registry", listing: "GET /api/v1/status"),
                                  status: .notFound)
            }
            let online = try await store.savedStatus()?.document.objects.first { $0.kind == .model && $0.name == name }?.model?.online ?? []
            return Self.json(HistoryDocument(registry, resources: try await store.resources(), online: online))
        }
    }
}
