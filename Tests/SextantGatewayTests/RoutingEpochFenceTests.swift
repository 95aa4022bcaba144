import Foundation
import HTTPTypes
import HummingbirdCore
import Logging
import Testing
@testable import SextantGateway
import SextantWire

/// The gateway orders routing tables by (lease term, generation) (DESIGN §12): a replica
/// that lost its lease cannot route traffic, whatever generation it sends.
@Suite struct RoutingEpochFenceTests {
    struct Push: CustomTestStringConvertible, Sendable {
        var epoch: Int64?
        var generation: Int
        var status: Int
        var inForce: RoutingTable.Order
        var refusal: String?

        var testDescription: String { "epoch \(epoch.map(String.init) ?? "none"), generation \(generation) → \(status)" }
    }

    /// One gateway taking these pushes in turn.
    static let pushes: [Push] = [
        Push(epoch: nil, generation: 5, status: 200, inForce: .init(epoch: 0, generation: 5)),
        Push(epoch: 1, generation: 5, status: 200, inForce: .init(epoch: 1, generation: 5)),  // a later term at the same generation
        Push(epoch: 1, generation: 6, status: 200, inForce: .init(epoch: 1, generation: 6)),
        Push(epoch: 2, generation: 6, status: 200, inForce: .init(epoch: 2, generation: 6)),  // the new term's first table after a late push of the old
        Push(epoch: 1, generation: 7, status: 409, inForce: .init(epoch: 2, generation: 6),
             refusal: "routing table generation 7 of epoch 1 comes from an earlier lease term than the one in force (generation 6 of epoch 2): "
                 + "its sender no longer leads; if every replica leads in turn like this, upgrade them all to the same Sextant"),
        Push(epoch: 2, generation: 5, status: 409, inForce: .init(epoch: 2, generation: 6),
             refusal: "generation 5 is older than the one in force (6)"),
        Push(epoch: 2, generation: 6, status: 200, inForce: .init(epoch: 2, generation: 6)),  // the same again: a no-op
        Push(epoch: 2, generation: 7, status: 200, inForce: .init(epoch: 2, generation: 7)),
        // Without an epoch (a daemon alone, a Sextant from before epochs): by generation only.
        Push(epoch: nil, generation: 6, status: 409, inForce: .init(epoch: 2, generation: 7),
             refusal: "generation 6 is older than the one in force (7)"),
        Push(epoch: nil, generation: 7, status: 200, inForce: .init(epoch: 2, generation: 7)),
        Push(epoch: nil, generation: 9, status: 200, inForce: .init(epoch: 0, generation: 9)),
        Push(epoch: 3, generation: 1, status: 200, inForce: .init(epoch: 3, generation: 1)),
    ]

    static let outcomes: [Gateway.Admission] = [.newer, .newer, .newer, .newer, .refused(pushes[4].refusal!), .refused(pushes[5].refusal!),
                                                .inForce, .newer, .refused(pushes[8].refusal!), .inForce, .newer, .newer]

    @Test("pushes in turn: a later term wins at any generation, an earlier one is refused naming both")
    func sequence() throws {
        let gateway = Gateway(routes: RoutingTable(generation: 0, models: [:]), token: "t", logger: Logger(label: "test"))
        for push in Self.pushes {
            let response = gateway.install(RoutingTable(generation: push.generation, epoch: push.epoch, models: [:]))
            #expect(Int(response.status.code) == push.status, "\(push.testDescription)")
            #expect(gateway.tableOrder == push.inForce, "\(push.testDescription)")
        }
    }

    @Test("what each push is to the table in force, with the refusal's words")
    func admission() {
        #expect(Self.outcomes.count == Self.pushes.count)
        for (index, (push, expected)) in zip(Self.pushes, Self.outcomes).enumerated() {
            let current = index == 0 ? RoutingTable.Order(epoch: 0, generation: 0) : Self.pushes[index - 1].inForce
            let offered = RoutingTable.Order(epoch: push.epoch ?? 0, generation: push.generation)
            #expect(Gateway.admission(of: offered, over: current) == expected, "\(push.testDescription)")
        }
    }
}
