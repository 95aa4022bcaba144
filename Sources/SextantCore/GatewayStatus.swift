package import Foundation
import SextantAPI

/// The gateway in status (a field added to the DESIGN §3 document): where it should serve,
/// whether it does, and why not.
package struct GatewayStatus: Sendable, Hashable, Codable {
    /// Where it serves (`--gateway`).
    package var address: String
    package var serving: Bool
    /// Why it does not serve (null while it does).
    package var error: String?

    package init(address: String, serving: Bool, error: String? = nil) {
        self.address = address
        self.serving = serving
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case address, serving, error
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(address, forKey: .address)
        try container.encode(serving, forKey: .serving)
        try container.encode(error, forKey: .error)
    }
}

extension StatusModel {
    /// A model is only served through the gateway: while it does not serve, no model is
    /// `Serving` or `Healthy`. Every model gets a `GatewayReady` condition saying why; one
    /// that would serve becomes `OutOfSync`, `Degraded`, phase `Unavailable` (a phase
    /// added to DESIGN §3, see docs/deviations.md); a model on its way (training, a
    /// rollout) keeps its phase and is `Degraded`.
    package static func applyGatewayOutage(_ gateway: GatewayStatus, to objects: inout [ObjectStatus], since: Date) {
        guard !gateway.serving else { return }
        let cause = gateway.error ?? "it is not running"
        let condition = StatusCondition(type: "GatewayReady", status: "False", reason: "GatewayUnavailable",
                                        message: "the gateway on \(gateway.address) does not serve: \(cause)", lastTransitionTime: since)
        for index in objects.indices where objects[index].kind == .model {
            objects[index].conditions.removeAll { $0.type == condition.type }
            objects[index].conditions.insert(condition, at: 0)
            guard objects[index].model?.stableRevision != nil else { continue }
            objects[index].health = .degraded
            objects[index].sync = .outOfSync
            if objects[index].phase == .serving { objects[index].phase = .unavailable }
            objects[index].message = "not served: the gateway on \(gateway.address) is down; " + objects[index].message
        }
    }
}
