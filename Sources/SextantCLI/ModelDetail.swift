import Foundation
import SextantAPI
import SextantCore

/// `sextant get MODEL -o json`: the model's object of status (DESIGN §3, with its rollout,
/// replicas and traffic), the followed revision, and the model's recent events, oldest first.
struct ModelDetail: Encodable {
    var revision: RevisionStatus
    var model: ObjectStatus
    var events: [Event]

    var json: String {
        // Our own types encode or the program is wrong.
        String(decoding: try! StatusDocument.jsonEncoder().encode(self), as: UTF8.self) + "\n"
    }
}

/// The last events of one model. The first read pages through the whole log; later ones
/// ask only for what is newer, so watching costs little however long the log is.
struct RecentEvents {
    let model: String
    let keep: Int
    private(set) var events: [Event] = []
    private var lastID: Int64 = 0

    init(model: String, keep: Int = 10) {
        self.model = model
        self.keep = keep
    }

    mutating func update(from source: StatusSource) async throws {
        let new = try await source.modelEvents(since: lastID, name: model)
        events = Array((events + new).suffix(keep))
        lastID = new.last?.id ?? lastID
    }
}
