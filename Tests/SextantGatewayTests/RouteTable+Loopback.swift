@testable import SextantGateway

/// The tests' servers listen on loopback: a target names its port.
extension RouteTable.Target {
    init(revision: Int, port: Int) {
        self.init(revision: revision, upstream: Upstream(host: "127.0.0.1", port: port))
    }

    var port: Int { upstream.port }
}
