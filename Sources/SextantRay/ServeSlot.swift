import Foundation
import SextantAPI
import SextantCore

/// A replica of the Ray runtime as Core stores it (its `RuntimeHandle`): one slot of a
/// revision's Serve application, and the application as declared, so that a restarted
/// daemon declares it again unchanged.
struct ServeSlot: Codable, Sendable, Hashable {
    var application: String
    var slot: Int
    /// When the application was first declared: a re-created application's slots get new ids.
    var declaredAt: Date
    var declared: ServeApplication

    init(application: String, slot: Int, declaredAt: Date, declared: ServeApplication) {
        self.application = application
        self.slot = slot
        self.declaredAt = declaredAt
        self.declared = declared
    }

    /// The slot a handle holds; nil for a handle of another runtime.
    init?(_ handle: RuntimeHandle) {
        guard handle.id.hasPrefix(Self.idPrefix), let slot = handle.data(as: ServeSlot.self) else { return nil }
        self = slot
    }

    static let idPrefix = "ray-serve:"

    var id: String { "\(Self.idPrefix)\(application)/\(slot)@\(Int((declaredAt.timeIntervalSince1970 * 1000).rounded()))" }

    var handle: RuntimeHandle {
        let summary: [String: JSONValue] = ["application": .string(application), "slot": .integer(Int64(slot))]
        // A slot always encodes (strings, numbers and a date): the fallback is never taken.
        return (try? RuntimeHandle(id: id, summary: summary, data: self)) ?? RuntimeHandle(id: id, summary: summary, data: [:])
    }
}
