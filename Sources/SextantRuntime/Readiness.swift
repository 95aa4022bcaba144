import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import SextantCore

/// Whether a server is ready for its model (DESIGN §5): `/v2/health/ready`, then
/// `/v2/models/{name}/ready` — a server can be up while its model failed to load (MLServer
/// is ready with zero models when its model settings name no implementation).
enum Readiness {
    /// What keeps the server on `port` of 127.0.0.1 from being ready, e.g. `GET
    /// http://127.0.0.1:PORT/v2/models/churn/ready answered HTTP 404`; nil when it is ready.
    /// Without a model, only the server's own readiness is asked.
    static func problem(port: Int, model: String?, timeout: Duration) async -> String? {
        for path in ["/v2/health/ready"] + (model.map { ["/v2/models/\($0)/ready"] } ?? []) {
            let url = "http://127.0.0.1:\(port)\(path)"
            var request = HTTPClientRequest(url: url)
            request.method = .GET
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(timeout.seconds * 1000)))
                _ = try await response.body.collect(upTo: 1 << 16)
                if response.status != .ok { return "GET \(url) answered HTTP \(response.status.code)" }
            } catch {
                return "GET \(url) got no answer"
            }
        }
        return nil
    }
}
