internal import CGit2

/// A libgit2 failure, translated once at the boundary: the operation we attempted and what
/// libgit2 said.
package struct GitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What Sextant was doing, e.g. `open repository /srv/config`.
    package var operation: String
    /// libgit2's error code (`GIT_ENOTFOUND`, …), or 0 for errors raised by Sextant itself.
    package var code: Int32
    package var message: String

    package init(operation: String, code: Int32, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    /// True when the object, reference or path does not exist.
    package var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }

    package var description: String { "\(operation): \(message)" }

    /// Reads `git_error_last()`; call it right after the failing call, on the same thread.
    static func last(_ operation: String, code: Int32) -> GitError {
        let message: String
        if let error = git_error_last(), let text = error.pointee.message {
            message = String(cString: text)
        } else {
            message = "libgit2 error \(code)"
        }
        return GitError(operation: operation, code: code, message: message)
    }
}

/// Runs a libgit2 call and throws its error, if any, naming the operation.
@inline(__always)
func check(_ operation: @autoclosure () -> String, _ code: Int32) throws(GitError) {
    if code < 0 { throw GitError.last(operation(), code: code) }
}
