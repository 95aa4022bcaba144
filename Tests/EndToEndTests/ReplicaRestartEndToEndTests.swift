import Foundation
import Testing
import SextantCore
import SextantTestSupport

/// A model server that dies is replaced by the daemon at once, not at its next interval.
@Suite(.serialized) struct ReplicaRestartEndToEndTests {
    @Test("kill -9 of a model server: with a one-hour interval, the daemon's watchdog has it replaced, and the count says crash 1 in a row")
    func killedServerIsReplaced() async throws {
        let rig = try RolloutEndToEndTests.Rig(steps: "[{setWeight: 50}]", analysis: "{interval: 1s, minSamples: 20}")
        try rig.startDaemon(interval: "1h")
        try await rig.waitFor("r1 to serve") { rig.status()?.phase == .serving && rig.observation()?.replicas.count == 1 }
        let first = try #require(rig.observation()?.replicas.first)
        let killed = ContinuousClock.now
        #expect(kill(first.pid, SIGKILL) == 0)
        try await rig.waitFor("a new server of r1", timeout: .seconds(60)) {
            guard let replica = rig.observation()?.replicas.first else { return false }
            return replica.pid != first.pid && kill(replica.pid, 0) == 0
        }
        let replaced = ContinuousClock.now - killed
        let restarted = try #require(rig.events(.replicaRestarted).last)
        #expect(restarted.message.contains("(crash 1 in a row)"), "\(restarted.message)")
        #expect(rig.status()?.phase == .serving)
        print("a killed model server was replaced (new server ready, recorded) in \(replaced)")
    }
}
