import AsyncHTTPClient
import NIOCore

/// The HTTP client of the commands that talk to the daemon or the gateway: a refused or
/// unreachable address fails at once (the shared client retries until its timeout, which
/// makes a typo in --server wait ten seconds for the same answer).
enum CommandHTTPClient {
    static let shared: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
