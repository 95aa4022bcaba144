import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Whether a model answers ready through Serve's proxy (`GET …/v2/models/NAME/ready`).
enum ServeReadiness {
    /// Why it is not ready; nil when it answers 200.
    static func problem(_ url: String) async -> String? {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 4096)
            guard response.status == .ok else {
                return "GET \(url) answered HTTP \(response.status.code): \(String(buffer: body).prefix(300))"
            }
            return nil
        } catch {
            return "GET \(url) got no answer: \(error)"
        }
    }
}
