import SextantCore
import SextantGit

/// The unified diff of each changed manifest file, base to head.
enum PlanDiffs {
    /// Sets `diff` on every added, removed or modified object: its file's patch.
    static func attach(to objects: inout [ObjectReview], base: (GitRepository, String)?, head: (GitRepository, String)) {
        var patches: [String: String?] = [:]
        for index in objects.indices {
            let object = objects[index]
            guard [.added, .removed, .modified].contains(object.change), !object.file.isEmpty else { continue }
            if patches[object.file] == nil {
                let old = base.flatMap { try? $0.0.read(object.file, at: $0.1) }
                let new = try? head.0.read(object.file, at: head.1)
                let patch = try? UnifiedDiff.patch(from: old, to: new, path: object.file)
                patches[object.file] = .some(patch.flatMap { $0.isEmpty ? nil : $0 })
            }
            objects[index].diff = patches[object.file] ?? nil
        }
    }
}
