import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SextantAPI
import SextantSource
import SextantTestSupport
import ServiceLifecycle
import Synchronization

/// A forge on 127.0.0.1 for the forge clients' tests, strict where the real one is and
/// stricter where the documentation is: for its `kind` it takes only the documented
/// methods and paths (`ForgeStandIn+Shapes`), requires the auth header, a User-Agent and
/// JSON bodies whose fields have the documented names and types (an unknown top-level
/// field is refused), keeps pull requests in memory, and answers in the documented shapes
/// and statuses — including each forge's conflict for a second open pull request.
final class ForgeStandIn: Sendable {
    /// A pull request (merge request) as the stand-in keeps it.
    struct Pull: Sendable {
        var number: Int
        var head: String
        var base: String
        var title: String
        var body: String
        var closed = false
        var merged = false
        /// A pull request from a fork's branch of the same name (head repository 2).
        var fromFork = false
        var sha: String
    }

    struct State: Sendable {
        var pulls: [Pull] = []
        /// `METHOD /path?query`, in order.
        var requests: [String] = []
        /// Statuses to answer the next requests with, before looking at them.
        var failures: [Int] = []
        /// The next create finds a pull request a human just opened for the same branch.
        var humanOpensOnNextCreate = false
        /// The most items a list answers (Gitea's `MAX_RESPONSE_ITEMS`).
        var maxPageItems = 50
    }

    let kind: ForgeKind
    let port: Int
    /// The token the stand-in accepts.
    let token = "stand-in-token-\(UInt32.random(in: 0...UInt32.max))"
    let state = Mutex(State())

    private init(kind: ForgeKind, port: Int) {
        self.kind = kind
        self.port = port
    }

    /// `--forge-url` for this stand-in: the API base under its forge's prefix.
    var apiURL: String { "http://127.0.0.1:\(port)\(Self.prefix(kind))" }

    /// The repository every test uses.
    static let repository = ForgeRepository(path: "acme/models")!

    /// A client of this stand-in, with its token unless another is given.
    func client(token: String? = nil) -> any PullRequests {
        ForgeConfiguration(kind: kind, apiURL: apiURL, repository: Self.repository, token: ForgeToken(Array((token ?? self.token).utf8))!).pullRequests()
    }

    var pulls: [Pull] { state.withLock { $0.pulls } }
    var requests: [String] { state.withLock { $0.requests } }

    /// Marks pull request `number` merged, as a human merging it would.
    func merge(_ number: Int) {
        state.withLock { state in
            guard let index = state.pulls.firstIndex(where: { $0.number == number }) else { return }
            state.pulls[index].merged = true
            state.pulls[index].closed = true
        }
    }

    /// Closes pull request `number` without merging it.
    func close(_ number: Int) {
        state.withLock { state in
            guard let index = state.pulls.firstIndex(where: { $0.number == number }) else { return }
            state.pulls[index].closed = true
        }
    }

    /// Adds an open pull request as someone else made it.
    @discardableResult
    func open(head: String, base: String = "main", title: String = "by hand", fromFork: Bool = false) -> Int {
        state.withLock { $0.add(head: head, base: base, title: title, body: "", fromFork: fromFork) }
    }

    /// Runs `body` with a stand-in for `kind` listening on a free port.
    static func with(_ kind: ForgeKind, _ body: (ForgeStandIn) async throws -> Void) async throws {
        let standIn = ForgeStandIn(kind: kind, port: try freePort())
        let (running, continuation) = AsyncStream.makeStream(of: Void.self)
        let responder = CallbackResponder<BasicRequestContext> { request, _ in try await standIn.answer(request) }
        var logger = Logger(label: "forge-stand-in")
        logger.logLevel = .warning
        let application = Application(responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: standIn.port)),
                                      onServerRunning: { _ in continuation.yield() }, logger: logger)
        let services = ServiceGroup(configuration: .init(services: [application], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = running.makeAsyncIterator()
            guard await iterator.next() != nil else { return }
            do {
                try await body(standIn)
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
        }
    }

    private func answer(_ request: Request) async throws -> Response {
        let target = request.head.path ?? "/"
        let method = request.method.rawValue
        let failure = state.withLock { state -> Int? in
            state.requests.append("\(method) \(target)")
            return state.failures.isEmpty ? nil : state.failures.removeFirst()
        }
        if let failure { return reply(failure, errorBody(failure, "stand-in failure \(failure)")) }
        if let refusal = checkHeaders(request) { return refusal }
        let body = try await request.body.collect(upTo: 1 << 20)
        let json: [String: JSONValue]?
        if body.readableBytes > 0 {
            guard request.headers[.contentType]?.hasPrefix("application/json") == true else {
                return reply(415, errorBody(415, "Unsupported Media Type: send application/json"))
            }
            guard let object = try? JSONDecoder().decode([String: JSONValue].self, from: Data(body.readableBytesView)) else {
                return reply(400, errorBody(400, "Problems parsing JSON"))
            }
            json = object
        } else {
            json = nil
        }
        let (path, query) = Self.split(target)
        return route(method, path: path, query: query, json: json)
    }

    /// The documented auth header, a User-Agent, and GitHub's media type and API version.
    private func checkHeaders(_ request: Request) -> Response? {
        guard request.headers[.userAgent]?.isEmpty == false else {
            return reply(403, errorBody(403, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header"))
        }
        let authorized = switch kind {
        case .github: request.headers[.authorization] == "Bearer \(token)"
        case .gitea: request.headers[.authorization] == "token \(token)"
        case .gitlab: request.headers[HTTPField.Name("PRIVATE-TOKEN")!] == token
        }
        guard authorized else { return reply(401, errorBody(401, Self.unauthorized(kind))) }
        if kind == .github {
            guard request.headers[.accept] == "application/vnd.github+json" else { return reply(415, errorBody(415, "Unsupported 'Accept' header")) }
            guard request.headers[HTTPField.Name("X-GitHub-Api-Version")!] == "2022-11-28" else {
                return reply(400, errorBody(400, "Invalid API version"))
            }
        }
        return nil
    }

    func reply(_ status: Int, _ json: Any) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: json)) ?? Data()
        return Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The path (still percent-encoded, as sent) and the query's decoded values.
    private static func split(_ target: String) -> (String, [String: String]) {
        let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
        var query: [String: String] = [:]
        for pair in (parts.count > 1 ? parts[1] : "").split(separator: "&") {
            let field = pair.split(separator: "=", maxSplits: 1).map(String.init)
            query[field[0]] = field.count > 1 ? field[1].removingPercentEncoding : ""
        }
        return (parts[0], query)
    }
}

extension ForgeStandIn.State {
    mutating func add(head: String, base: String, title: String, body: String, fromFork: Bool = false) -> Int {
        let number = (pulls.map(\.number).max() ?? 0) + 1
        pulls.append(.init(number: number, head: head, base: base, title: title, body: body, fromFork: fromFork,
                           sha: String(repeating: String(number % 10), count: 40)))
        return number
    }
}
