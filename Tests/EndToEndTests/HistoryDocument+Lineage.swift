import Foundation
import SextantAPI
import SextantCore

extension HistoryDocument {
    /// `history -o json` without what changes from one pass to the next (resource use,
    /// online metrics): two reads of one registry a moment apart compare equal.
    static func lineage(_ json: String) throws -> HistoryDocument {
        var document = try StatusDocument.jsonDecoder().decode(HistoryDocument.self, from: Data(json.utf8))
        for version in document.versions.indices {
            for revision in document.versions[version].revisions.indices {
                document.versions[version].revisions[revision].resources = nil
                document.versions[version].revisions[revision].online = nil
            }
        }
        return document
    }
}
