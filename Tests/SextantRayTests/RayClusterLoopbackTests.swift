import Foundation
import SextantTestSupport
import Testing

@Suite(.enabled(if: RayCluster.isAvailable, RayCluster.unavailable), .rayCluster, .timeLimit(.minutes(10)))
struct RayClusterLoopbackTests {
    @Test("every port the tests' Ray listens on is on 127.0.0.1 (no outward address, no 0.0.0.0)",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ss"), "needs ss (Debian's iproute2) to list listening sockets"))
    func loopbackOnly() async throws {
        let cluster = try #require(RayCluster.current)
        let addresses = try await cluster.listeningAddresses()
        // The GCS, the dashboard, the raylet's two ports, the agents and the client server at least.
        #expect(addresses.count >= 6, "\(addresses)")
        #expect(addresses.contains("127.0.0.1:\(URL(string: cluster.dashboardURL)?.port ?? 0)"))
        let outward = addresses.filter { !$0.hasPrefix("127.0.0.1:") && !$0.hasPrefix("[::ffff:127.0.0.1]:") }
        #expect(outward.isEmpty, "listening beyond loopback: \(outward)")
    }
}
