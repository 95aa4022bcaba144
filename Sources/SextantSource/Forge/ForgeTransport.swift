import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// JSON over HTTPS to one forge's REST API: the auth headers that forge documents, the
/// timeouts (10 s to connect, 30 s for the whole call), and every failure turned into one
/// `ForgeError` line. Each client (`GitHubPullRequests`, …) says which paths and shapes.
struct ForgeTransport: Sendable {
    let kind: ForgeKind
    let apiURL: String
    let token: ForgeToken
    let client: HTTPClient

    init(configuration: ForgeConfiguration, client: HTTPClient = ForgeHTTPClient.shared) {
        kind = configuration.kind
        apiURL = configuration.apiURL
        token = configuration.token
        self.client = client
    }

    /// The largest answer read: a pull request is a few KiB, a page of them a few hundred.
    static let maxAnswerBytes = 8 << 20
    /// The whole call, from connecting to the last byte of the answer.
    static let callTimeout: TimeAmount = .seconds(30)

    /// Calls `method path?query` with `body` as JSON, and decodes a 2xx answer as `Answer`.
    func call<Answer: Decodable>(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: (any Encodable)? = nil,
                                 as _: Answer.Type = Answer.self) async throws(ForgeError) -> Answer {
        let url = apiURL + path + (query.isEmpty ? "" : "?" + query.map { "\($0.0)=\(Self.escaped($0.1))" }.joined(separator: "&"))
        let bytes = try await send(method, url: url, body: body)
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(bytes.readableBytesView))
        } catch {
            throw failure(method, url, .unexpectedAnswer, "the answer is not the documented JSON (\(Self.reason(decoding: error)))", retryable: false)
        }
    }

    /// A path segment or query value with everything but RFC 3986's unreserved characters
    /// percent-encoded: a branch's `/` stays inside its segment, and a GitLab project path
    /// becomes its id (`acme%2Fmodels`).
    static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private func send(_ method: HTTPMethod, url: String, body: (any Encodable)?) async throws(ForgeError) -> ByteBuffer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers = headers(json: body != nil)
        if let body {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            guard let data = try? encoder.encode(body) else {
                throw failure(method, url, .unexpectedAnswer, "the request could not be encoded as JSON", retryable: false)
            }
            request.body = .bytes(ByteBuffer(bytes: data))
        }
        let response: HTTPClientResponse
        let answer: ByteBuffer
        do {
            response = try await client.execute(request, timeout: Self.callTimeout)
            answer = try await response.body.collect(upTo: Self.maxAnswerBytes)
        } catch {
            throw failure(method, url, .unreachable, Self.reason(transport: error), retryable: true)
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let said = ForgeMessage.text(of: answer) ?? response.status.reasonPhrase
            let location = (300..<400).contains(status) ? response.headers.first(name: "location").map { "moved to \($0)" } : nil
            throw failure(method, url, .status(status), location.map { "\(said), \($0)" } ?? said,
                          retryable: status >= 500 || status == 429 || Self.isRateLimited(status, response.headers))
        }
        return answer
    }

    /// Each forge's documented auth header, the JSON media types, and a User-Agent (GitHub
    /// refuses calls without one).
    private func headers(json: Bool) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "User-Agent", value: "sextant")
        switch kind {
        case .github:
            headers.add(name: "Accept", value: "application/vnd.github+json")
            headers.add(name: "Authorization", value: "Bearer \(token.value)")
            headers.add(name: "X-GitHub-Api-Version", value: "2022-11-28")
        case .gitea:
            headers.add(name: "Accept", value: "application/json")
            headers.add(name: "Authorization", value: "token \(token.value)")
        case .gitlab:
            headers.add(name: "Accept", value: "application/json")
            headers.add(name: "PRIVATE-TOKEN", value: token.value)
        }
        if json { headers.add(name: "Content-Type", value: "application/json") }
        return headers
    }

    private func failure(_ method: HTTPMethod, _ url: String, _ failure: ForgeError.Failure, _ detail: String, retryable: Bool) -> ForgeError {
        ForgeError(forge: kind, method: method.rawValue, url: url, failure: failure, detail: detail, isRetryable: retryable)
    }

    /// GitHub's rate limits answer 403: the primary one with `x-ratelimit-remaining: 0`,
    /// the secondary one with `retry-after`.
    private static func isRateLimited(_ status: Int, _ headers: HTTPHeaders) -> Bool {
        status == 403 && (headers.first(name: "x-ratelimit-remaining") == "0" || headers.contains(name: "retry-after"))
    }

    /// Why no answer came, in a few words.
    private static func reason(transport error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "timed out connecting"
            case .deadlineExceeded, .readTimeout: return "no answer within 30 s"
            case .remoteConnectionClosed: return "the connection closed before an answer"
            case .invalidURL, .emptyHost, .emptyScheme: return "not a valid http(s) URL; check --forge-url"
            default: break
            }
        }
        if error is NIOTooManyBytesError { return "an answer over \(maxAnswerBytes >> 20) MiB" }
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)).lowercased() }
        let text = String(describing: error)
        if let range = text.range(of: #"errno: \d+"#, options: .regularExpression), let code = Int32(text[range].dropFirst(7)) {
            return String(cString: strerror(code)).lowercased()
        }
        if text.localizedCaseInsensitiveContains("dns") || text.contains("Name or service not known") { return "the host name does not resolve" }
        let line = text.split(separator: "\n").first.map(String.init) ?? text
        return line.count > 120 ? String(line.prefix(117)) + "…" : line
    }

    /// Which field of the answer was missing or of another type.
    private static func reason(decoding error: any Error) -> String {
        func path(_ context: DecodingError.Context, _ last: (any CodingKey)? = nil) -> String {
            (context.codingPath + (last.map { [$0] } ?? [])).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context): return "no \(path(context, key))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(path(context)) has another type"
        default: return "not JSON"
        }
    }
}

/// The HTTP client of the forge calls: one per process, like a connection pool. It never
/// follows a redirect (the token would go wherever it points; a moved API or repository is
/// an error naming where), and a refused connection fails at once: the reconciler retries.
enum ForgeHTTPClient {
    static let shared: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: .seconds(30)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
