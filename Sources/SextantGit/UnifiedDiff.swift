internal import CGit2

/// A unified diff of two versions of a file, as `git diff` prints it, made by libgit2.
package enum UnifiedDiff {
    /// The patch from `old` to `new` (nil: the file does not exist on that side), with three
    /// lines of context; empty when the contents are equal.
    ///
    /// - Parameter path: the file's name in the `--- a/…` and `+++ b/…` lines.
    package static func patch(from old: [UInt8]?, to new: [UInt8]?, path: String) throws(GitError) -> String {
        _ = GitRepository.initialized
        if old == new { return "" }
        let operation = "diff \(path)"
        var patch: OpaquePointer?
        var options = git_diff_options()
        try check(operation, git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)))
        // Manifests are text: never "Binary files differ" for a stray byte.
        options.flags |= GIT_DIFF_FORCE_TEXT.rawValue
        let code = (old ?? []).withUnsafeBytes { oldBytes in
            (new ?? []).withUnsafeBytes { newBytes in
                git_patch_from_buffers(&patch, old == nil ? nil : oldBytes.baseAddress, old?.count ?? 0, old == nil ? nil : path,
                                       new == nil ? nil : newBytes.baseAddress, new?.count ?? 0, new == nil ? nil : path, &options)
            }
        }
        try check(operation, code)
        guard let patch else { return "" }
        defer { git_patch_free(patch) }
        var buffer = git_buf()
        try check(operation, git_patch_to_buf(&buffer, patch))
        defer { git_buf_dispose(&buffer) }
        guard let pointer = buffer.ptr else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: buffer.size), as: UTF8.self)
    }
}
