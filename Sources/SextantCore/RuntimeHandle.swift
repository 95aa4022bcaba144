import Foundation
package import SextantAPI

/// A runtime's own record of something it runs (a replica, the gateway): Core stores it
/// with the thing and hands it back to the runtime, and never reads it (DESIGN §1 "The
/// runtime seam"). The embedded runtime keeps a local process there.
package struct RuntimeHandle: Sendable, Hashable, Codable {
    package typealias ID = String

    /// Unique among everything the runtime ever ran: what probes key their answers by.
    package var id: ID
    /// What status shows of it beside Core's own fields (`sextant get`).
    package var summary: [String: JSONValue]
    /// The runtime's data.
    package var data: [String: JSONValue]

    package init(id: ID, summary: [String: JSONValue] = [:], data: [String: JSONValue]) {
        self.id = id
        self.summary = summary
        self.data = data
    }

    /// A handle whose summary and data are the JSON objects of two records of the runtime.
    package init(id: ID, summary: some Encodable, data: some Encodable) throws {
        self.init(id: id, summary: try Self.object(summary), data: try Self.object(data))
    }

    /// The data as the runtime's record type; nil when it is not one.
    package func data<Record: Decodable>(as type: Record.Type) -> Record? {
        guard let json = try? JSONEncoder().encode(JSONValue.object(data)) else { return nil }
        return try? JSONDecoder().decode(Record.self, from: json)
    }

    private static func object(_ value: some Encodable) throws -> [String: JSONValue] {
        let json = try JSONEncoder().encode(value)
        guard case .object(let object) = try JSONDecoder().decode(JSONValue.self, from: json) else {
            throw EncodingError.invalidValue(value, EncodingError.Context(codingPath: [], debugDescription: "a runtime handle's record is a JSON object"))
        }
        return object
    }
}
