import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SextantCore

/// A GET of a running daemon's JSON (`--server`), for `status`, `get` and `events`: an
/// unreachable daemon is one line naming the URL and what to check, an error answer names
/// the request.
enum DaemonRead {
    static func get<Document: Decodable>(_ type: Document.Type, server: String, path: String, what: String) async throws -> Document {
        let base = server.hasSuffix("/") ? String(server.dropLast()) : server
        let url = base + path
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await CommandHTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            body = try await response.body.collect(upTo: 256 << 20)
        } catch {
            throw CommandFailure(message: ConnectionFailure.message(error, url: base, peer: .daemon))
        }
        let data = Data(body.readableBytesView)
        guard response.status == .ok else {
            let message = (try? JSONDecoder().decode([String: String].self, from: data))?["error"] ?? "HTTP \(response.status.code)"
            throw CommandFailure(message: "--server \(base): GET \(path): \(message)")
        }
        do {
            return try StatusDocument.jsonDecoder().decode(Document.self, from: data)
        } catch {
            throw CommandFailure(message: "--server \(base) answered GET \(path) with something that is not \(what); is it a Sextant daemon's API?")
        }
    }
}
