import Foundation
import Hummingbird
import SextantAPI
import SextantCore
import SextantRuntime
import SextantStore

extension DaemonAPI {
    /// `GET /api/v1/models/{name}/card[?version=N]` (DESIGN §5, §9): the bytes of
    /// `sextant card -o json` (the artifact's `model-card.json` once packaged); 404 naming an
    /// unknown model or version, 400 for a version that is not a number.
    func addCardRoutes(to router: Router<BasicRequestContext>) {
        router.get("api/v1/models/:name/card") { request, context in
            let name = context.parameters.get("name") ?? ""
            var version: Int?
            if let asked = request.uri.queryParameters["version"].map(String.init) {
                guard let number = Int(asked.hasPrefix("v") ? String(asked.dropFirst()) : asked), number > 0 else {
                    return Self.error("version=\(asked) is not a version: write version=2 or version=v2", status: .badRequest)
                }
                version = number
            }
            let registries = try await store.registries()
            guard let registry = registries[name] else {
                return Self.error("no model \(name)" + UnknownName.hint(name, known: Array(registries.keys), listing: "GET /api/v1/status"), status: .notFound)
            }
            let stable = try await store.savedStatus()?.document.objects.first { $0.kind == .model && $0.name == name }?.model?.stableVersion
            do throws(ModelCardLookup.Failure) {
                let card = try ModelCardLookup(stateDirectory: stateDirectory).card(of: registry, version: version, stableVersion: stable)
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: card.json)))
            } catch {
                return Self.error(error.description, status: error.kind == .unknownVersion ? .notFound : .internalServerError)
            }
        }
    }
}
