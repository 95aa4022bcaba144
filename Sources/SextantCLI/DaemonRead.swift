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
        switch try await get(type, server: server, path: path, what: what, absentReason: nil) {
        case .found(let document): document
        case .absent(let message): throw CommandFailure(message: message)
        }
    }

    /// What a daemon answered: the document, or a 404 whose `reason` says the thing is known
    /// to be absent (a model without an experiment), with the daemon's message.
    enum Answer<Document> {
        case found(Document)
        case absent(message: String)
    }

    /// As `get`, but a 404 whose body has `"reason": absentReason` is `.absent` rather than an
    /// error: the daemon knows the object and says it has no such document.
    static func get<Document: Decodable>(_ type: Document.Type, server: String, path: String, what: String,
                                         absentReason: String?) async throws -> Answer<Document> {
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
            let refusal = try? JSONDecoder().decode([String: String].self, from: data)
            let message = refusal?["error"] ?? "HTTP \(response.status.code)"
            if let absentReason, response.status == .notFound, refusal?["reason"] == absentReason {
                return .absent(message: message)
            }
            throw CommandFailure(message: "--server \(base): GET \(path): \(message)")
        }
        do {
            return .found(try StatusDocument.jsonDecoder().decode(Document.self, from: data))
        } catch {
            throw CommandFailure(message: "--server \(base) answered GET \(path) with something that is not \(what); is it a Sextant daemon's API?")
        }
    }
}
