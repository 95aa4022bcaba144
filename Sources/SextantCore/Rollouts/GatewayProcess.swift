package import Foundation
package import SextantWire

/// The gateway, as the store records it for adoption: where it serves, its admin endpoint,
/// and the runtime's own handle on it.
package struct GatewayProcess: Sendable, Hashable, Codable {
    /// Where it serves inference (`--gateway`).
    package var address: GatewayAddress
    /// Its admin endpoint: an `http://HOST:PORT` URL.
    package var adminEndpoint: String
    package var log: String
    package var startedAt: Date
    package var handle: RuntimeHandle

    package init(address: GatewayAddress, adminEndpoint: String, log: String, startedAt: Date, handle: RuntimeHandle) {
        self.address = address
        self.adminEndpoint = adminEndpoint
        self.log = log
        self.startedAt = startedAt
        self.handle = handle
    }

    enum CodingKeys: String, CodingKey {
        case address, adminEndpoint, log, startedAt, handle
    }

    /// A record written before runtime handles holds the embedded runtime's process fields
    /// and the address's fields themselves: they become its handle and address, so an
    /// upgraded daemon adopts the gateway that runs.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        log = try container.decode(String.self, forKey: .log)
        startedAt = try container.decode(Date.self, forKey: .startedAt)
        if let handle = try container.decodeIfPresent(RuntimeHandle.self, forKey: .handle) {
            self.handle = handle
            address = try container.decode(GatewayAddress.self, forKey: .address)
            adminEndpoint = try container.decode(String.self, forKey: .adminEndpoint)
        } else {
            let process = try LocalProcess.LegacyGateway(from: decoder).process
            handle = try RuntimeHandle(id: process.id, summary: process.summary, data: process)
            address = try GatewayAddress(from: decoder)
            adminEndpoint = process.endpoint
        }
    }
}
