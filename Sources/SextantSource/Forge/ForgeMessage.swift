import Foundation
import NIOCore

/// The forges' error bodies, read for the one line a user sees:
/// GitHub `{"message": "Validation Failed", "errors": [{"message": "A pull request already exists for acme:b."}]}`
/// (or `{"resource", "field", "code"}` items), Gitea `{"message": "…", "url": "…"}`, GitLab
/// `{"message": "401 Unauthorized"}`, `{"message": ["Another open merge request already exists …"]}`,
/// `{"message": {"title": ["is too long"]}}` or `{"error": "…", "error_description": "…"}`.
enum ForgeMessage {
    /// The messages joined with `; ` on one line (at most 300 characters); nil when the body
    /// is not JSON (a proxy's HTML page says nothing the status does not).
    static func text(of body: ByteBuffer) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else { return nil }
        var parts = ["message", "error", "error_description"].flatMap { flatten(object[$0]) }
        for item in object["errors"] as? [Any] ?? [] {
            if let item = item as? [String: Any], item["message"] == nil {
                parts.append([item["field"], item["code"]].compactMap { $0 as? String }.joined(separator: " "))
            } else {
                parts += flatten((item as? [String: Any])?["message"] ?? item)
            }
        }
        let line = parts.filter { !$0.isEmpty }.joined(separator: "; ").split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        guard !line.isEmpty else { return nil }
        return line.count > 300 ? String(line.prefix(299)) + "…" : line
    }

    private static func flatten(_ value: Any?) -> [String] {
        switch value {
        case let text as String: [text]
        case let list as [Any]: list.flatMap { flatten($0) }
        case let fields as [String: Any]: fields.keys.sorted().map { key in ([key] + flatten(fields[key])).joined(separator: " ") }
        default: []
        }
    }
}
