public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One Ray cluster's REST APIs, through its dashboard (`http://127.0.0.1:8265`): packages,
/// jobs and Serve applications (the extensions of this type). Every call has a timeout and
/// fails with one `RayError` line naming the call, Ray's answer and what to check.
public struct RayClient: Sendable {
    /// The dashboard's address, without a trailing `/`.
    public let address: String
    let http: HTTPClient
    /// The whole call, from connecting to the answer's last byte.
    let timeout: Duration

    public init(address: String, http: HTTPClient = RayClient.sharedHTTPClient, timeout: Duration = .seconds(30)) {
        self.address = address.hasSuffix("/") ? String(address.dropLast()) : address
        self.http = http
        self.timeout = timeout
    }

    /// The HTTP client of Ray calls: one per process, like a connection pool. A refused
    /// connection fails at once (AsyncHTTPClient would otherwise try again until the call's
    /// deadline): the caller polls anyway, and says at once that Ray is not running.
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// The largest answer read: Serve's status of many applications, or a job's whole log.
    static let maxAnswerBytes = 64 << 20

    /// An answer of Ray's: its status and body.
    struct Answer {
        let status: Int
        let body: [UInt8]
        let method: HTTPMethod
        let url: String

        var isSuccess: Bool { (200..<300).contains(status) }

        /// Ray's own words: the last line of a Python traceback, or the whole text.
        var rayText: String { RayClient.rayText(String(decoding: body, as: UTF8.self)) }
    }

    /// Sends one request and returns whatever status came back; only a call that got no answer throws.
    func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, contentType: String = "application/json") async throws(RayError) -> Answer {
        let url = address + path
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "sextant")
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await http.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
            let answer = try await response.body.collect(upTo: Self.maxAnswerBytes)
            return Answer(status: Int(response.status.code), body: Array(answer.readableBytesView), method: method, url: url)
        } catch {
            throw RayError(method: method.rawValue, url: url, status: nil, detail: reason(transport: error),
                           hint: "is `ray start --head` running with its dashboard on \(hostAndPort)?")
        }
    }

    /// Sends `body` as JSON and decodes a 2xx answer as `Result`; any other status is a `RayError`.
    func call<Result: Decodable>(_ method: HTTPMethod, _ path: String, json body: (any Encodable)? = nil,
                                 as _: Result.Type = Result.self) async throws(RayError) -> Result {
        let answer = try await send(method, path, body: try encoded(body, method, path))
        guard answer.isSuccess else { throw failure(answer) }
        return try decoded(answer)
    }

    /// `body` as JSON, keys sorted (the same declaration gives the same bytes).
    func encoded(_ body: (any Encodable)?, _ method: HTTPMethod, _ path: String) throws(RayError) -> [UInt8]? {
        guard let body else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(body))
        } catch {
            throw RayError(method: method.rawValue, url: address + path, status: nil, detail: "the request cannot be written as JSON (\(error))")
        }
    }

    func decoded<Result: Decodable>(_ answer: Answer, as _: Result.Type = Result.self) throws(RayError) -> Result {
        do {
            return try JSONDecoder().decode(Result.self, from: Data(answer.body))
        } catch {
            throw RayError(method: answer.method.rawValue, url: answer.url, status: answer.status,
                           detail: "the answer is not the JSON Ray 2.60 documents (\(reason(decoding: error)))",
                           hint: "is \(address) a Ray dashboard of version 2.60?")
        }
    }

    /// The error for an answer with a status Ray uses for failures.
    func failure(_ answer: Answer, hint: String? = nil) -> RayError {
        RayError(method: answer.method.rawValue, url: answer.url, status: answer.status, detail: answer.rayText, hint: hint)
    }

    /// `127.0.0.1:8265`, for the hints.
    var hostAndPort: String {
        guard let url = URL(string: address), let host = url.host else { return address }
        return url.port.map { "\(host):\($0)" } ?? host
    }

    /// The last non-empty line of a Python traceback (the exception and its message), or the
    /// whole text when it is not one; at most 300 characters.
    static func rayText(_ text: String) -> String {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && $0 != "." }
        let line = text.contains("Traceback (most recent call last)") ? lines.last ?? "" : lines.joined(separator: " ")
        if line.isEmpty { return "no error text" }
        return line.count > 300 ? String(line.prefix(297)) + "…" : line
    }

    /// Why no answer came, in a few words.
    private func reason(transport error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "timed out connecting"
            case .deadlineExceeded, .readTimeout: return "no answer within \(timeout)"
            case .remoteConnectionClosed: return "the connection closed before an answer"
            case .invalidURL, .emptyHost, .emptyScheme: return "not a valid http:// URL"
            default: break
            }
        }
        if error is NIOTooManyBytesError { return "an answer over \(Self.maxAnswerBytes >> 20) MiB" }
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)).lowercased() }
        let text = String(describing: error)
        // NIO's connection errors carry the errno in their text (several attempts, one cause).
        if let range = text.range(of: #"errno: \d+"#, options: .regularExpression), let code = Int32(text[range].dropFirst(7)) {
            return String(cString: strerror(code)).lowercased()
        }
        let line = text.split(separator: "\n").first.map(String.init) ?? text
        return line.count > 120 ? String(line.prefix(117)) + "…" : line
    }

    /// Which field of the answer was missing or of another type.
    private func reason(decoding error: any Error) -> String {
        func path(_ context: DecodingError.Context, _ last: (any CodingKey)? = nil) -> String {
            (context.codingPath + (last.map { [$0] } ?? [])).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context): return "no \(path(context, key))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(path(context)) has another type"
        case .dataCorrupted(let context) where !context.codingPath.isEmpty: return "\(path(context)) has a value Sextant does not know"
        default: return "not JSON"
        }
    }
}

extension Duration {
    /// The whole duration in nanoseconds, for NIO's `TimeAmount`.
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
