package import SextantYAML

/// A change Sextant wants in Git, as a value (DESIGN §8): the scalar edits and whole files
/// of one commit on `sextant/<purpose>/<model>`, with the evidence a pull request carries.
/// A `ChangeProposer` turns it into a branch (and a pull request).
package struct ProposedChange: Sendable, Hashable {
    package enum Purpose: String, Sendable, Hashable, Codable {
        case retrain
    }

    package var purpose: Purpose
    package var model: String
    /// ≤ 255 characters.
    package var title: String
    /// Scalars rewritten in place in manifest files (comments and layout kept).
    package var edits: [ScalarEdit]
    /// Files written whole (a new table at a dataset's `source.path`).
    package var files: [FileWrite]
    package var evidence: RetrainEvidence

    package init(purpose: Purpose, model: String, title: String, edits: [ScalarEdit], files: [FileWrite], evidence: RetrainEvidence) {
        self.purpose = purpose
        self.model = model
        self.title = title
        self.edits = edits
        self.files = files
        self.evidence = evidence
    }

    /// The branch it is committed on, one per model and purpose.
    package var branch: String { "sextant/\(purpose.rawValue)/\(model)" }

    /// One scalar of one manifest: in `file` (as the loader names it, under the watched
    /// root), the document of `object`, at `field`, the new text.
    package struct ScalarEdit: Sendable, Hashable {
        package var file: String
        package var object: ObjectKey
        package var field: FieldPath
        package var value: String

        package init(file: String, object: ObjectKey, field: FieldPath, value: String) {
            self.file = file
            self.object = object
            self.field = field
            self.value = value
        }
    }

    /// A file's whole new content, at a path under the watched root.
    package struct FileWrite: Sendable, Hashable {
        package var path: String
        package var bytes: [UInt8]

        package init(path: String, bytes: [UInt8]) {
            self.path = path
            self.bytes = bytes
        }
    }
}

/// Turns a proposed change into a commit on its branch, pushed, with a pull request when
/// a forge is configured (the daemon's writer); tests use a fake.
package protocol ChangeProposer: Sendable {
    func propose(_ change: ProposedChange) async throws -> ProposalResult
}

/// Where a proposed change went.
package struct ProposalResult: Sendable, Hashable, Codable {
    package var branch: String
    package var headCommit: String
    /// The pull request, when a forge opened or updated one.
    package var url: String?
    package var number: Int?

    package init(branch: String, headCommit: String, url: String? = nil, number: Int? = nil) {
        self.branch = branch
        self.headCommit = headCommit
        self.url = url
        self.number = number
    }
}
