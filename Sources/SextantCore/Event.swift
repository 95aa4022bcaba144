package import Foundation

/// One entry of the audit log (DESIGN §5): what happened to which object, at which
/// commit, done by whom. Ids increase.
package struct Event: Sendable, Hashable, Codable {
    package var id: Int64?
    package var time: Date
    /// An object's kind, or `Repository` for events of the followed branch.
    package var kind: EventKind
    package var name: String
    package var reason: EventReason
    package var message: String
    package var commit: String?
    /// `sextant` for the reconciler, or the person or token behind a command.
    package var actor: String

    package init(id: Int64? = nil, time: Date, kind: EventKind, name: String, reason: EventReason, message: String, commit: String?, actor: String) {
        self.id = id
        self.time = time
        self.kind = kind
        self.name = name
        self.reason = reason
        self.message = message
        self.commit = commit
        self.actor = actor
    }

    enum CodingKeys: String, CodingKey {
        case id, time, kind, name, reason, message, commit, actor
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(time, forKey: .time)
        try container.encode(kind, forKey: .kind)
        try container.encode(name, forKey: .name)
        try container.encode(reason, forKey: .reason)
        try container.encode(message, forKey: .message)
        try container.encode(commit, forKey: .commit)
        try container.encode(actor, forKey: .actor)
    }
}
