internal import CGit2
import Foundation

extension GitRepository {
    /// The local namespace that holds what Sextant pushes: `fetch` never writes or prunes
    /// here, so the followed branch's mirror is not confused by our branches.
    package static let pushNamespace = "refs/sextant/push/"

    /// Points `refs/heads/<branch>` of the remote at `url` to `commit`, replacing what it
    /// named (force: the branch is Sextant's, updated in place). Blocks: call it off the
    /// cooperative pool.
    ///
    /// The commit is first named locally by `refs/sextant/push/<branch>`.
    ///
    /// - Throws: `GitError` naming the remote (redacted) and the branch, with the server's
    ///   reason when it refused the update (a hook, a protected branch, a non-fast-forward).
    package func push(commit: String, to branch: String, remote url: String, credentials: GitCredentials, force: Bool = true) throws(GitError) {
        let operation = "push \(commit.prefix(7)) to \(branch) on \(redacted(url))"
        let localRef = Self.pushNamespace + branch
        var oid = git_oid()
        try check(operation, git_oid_fromstr(&oid, commit))
        var reference: OpaquePointer?
        try check(operation, git_reference_create(&reference, handle, localRef, &oid, 1, "sextant: push to \(branch)"))
        git_reference_free(reference)

        if let worktree = Self.localWorkTreeRepository(url) {
            // libgit2 cannot push into a repository with a work tree: the target fetches instead.
            return try GitRepository(path: worktree).fetchReference(localRef, from: path, into: "refs/heads/" + branch, operation: operation)
        }
        var remote: OpaquePointer?
        try check(operation, git_remote_create_anonymous(&remote, handle, url))
        defer { git_remote_free(remote) }
        var options = git_push_options()
        try check(operation, git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION)))
        let session = PushSession(credentials: credentials)
        options.callbacks.payload = Unmanaged.passUnretained(session).toOpaque()
        options.callbacks.credentials = { credential, _, usernameFromURL, allowedTypes, payload in
            let session = Unmanaged<PushSession>.fromOpaque(payload!).takeUnretainedValue()
            return session.credential(credential, usernameFromURL: usernameFromURL.map { String(cString: $0) }, allowedTypes: allowedTypes)
        }
        options.callbacks.push_update_reference = { name, status, payload in
            let session = Unmanaged<PushSession>.fromOpaque(payload!).takeUnretainedValue()
            if let status { session.refusals[name.map { String(cString: $0) } ?? ""] = String(cString: status) }
            return 0
        }
        let refspec = (force ? "+" : "") + localRef + ":refs/heads/" + branch
        let code: Int32 = withExtendedLifetime(session) {
            refspec.withCString { spec in
                var strings: [UnsafeMutablePointer<CChar>?] = [UnsafeMutablePointer(mutating: spec)]
                return strings.withUnsafeMutableBufferPointer { buffer in
                    var array = git_strarray(strings: buffer.baseAddress, count: 1)
                    return git_remote_push(remote, &array, &options)
                }
            }
        }
        if code < 0 {
            let error = GitError.last(operation, code: code)
            if session.attempts > PushSession.maximumAttempts || error.message.contains("401") || error.message.lowercased().contains("authentication") {
                throw GitError(operation: operation, code: code, message: "the remote refused the credentials (\(credentials)); check --git-credentials-file")
            }
            throw error
        }
        if let reason = session.refusals["refs/heads/" + branch] ?? session.refusals.values.first {
            throw GitError(operation: operation, code: GIT_ERROR.rawValue, message: "the remote refused the update: \(reason)")
        }
    }
}

extension GitRepository {
    /// The path of a local repository with a work tree (`/path/repo`, `file:///path/repo`
    /// holding `.git`), which a push cannot update; nil for anything else.
    static func localWorkTreeRepository(_ url: String) -> String? {
        let path = url.hasPrefix("file://") ? String(url.dropFirst("file://".count)) : url
        guard path.hasPrefix("/") else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path + "/.git", isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        return path
    }

    /// Fetches `reference` of the repository at `source` into this one as `destination`
    /// (forced): a push into a local repository with a work tree, from its side.
    func fetchReference(_ reference: String, from source: String, into destination: String, operation: String) throws(GitError) {
        var remote: OpaquePointer?
        try check(operation, git_remote_create_anonymous(&remote, handle, source))
        defer { git_remote_free(remote) }
        var options = git_fetch_options()
        try check(operation, git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)))
        options.prune = GIT_FETCH_NO_PRUNE
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        let refspec = "+\(reference):\(destination)"
        let code: Int32 = refspec.withCString { spec in
            var strings: [UnsafeMutablePointer<CChar>?] = [UnsafeMutablePointer(mutating: spec)]
            return strings.withUnsafeMutableBufferPointer { buffer in
                var array = git_strarray(strings: buffer.baseAddress, count: 1)
                return git_remote_fetch(remote, &array, &options, "sextant: branch written by the daemon")
            }
        }
        try check(operation, code)
    }
}

/// What one push's callbacks share: the credentials to offer and what the server said.
private final class PushSession {
    /// libgit2 asks again after a refusal; a second refusal of the same secret is final.
    static let maximumAttempts = 2
    let credentials: GitCredentials
    var attempts = 0
    /// The server's reason by reference name, for every update it refused.
    var refusals: [String: String] = [:]

    init(credentials: GitCredentials) {
        self.credentials = credentials
    }

    func credential(_ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>?, usernameFromURL: String?, allowedTypes: UInt32) -> Int32 {
        attempts += 1
        guard attempts <= Self.maximumAttempts else { return GIT_EUSER.rawValue }
        switch credentials {
        case .token(let user, let token) where allowedTypes & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0:
            return git_credential_userpass_plaintext_new(out, user ?? usernameFromURL ?? "x-access-token", token)
        case .sshKey(let key) where allowedTypes & GIT_CREDENTIAL_SSH_MEMORY.rawValue != 0:
            return git_credential_ssh_key_memory_new(out, usernameFromURL ?? "git", nil, key, nil)
        case .sshKey where allowedTypes & GIT_CREDENTIAL_USERNAME.rawValue != 0:
            return git_credential_username_new(out, usernameFromURL ?? "git")
        default:
            return GIT_PASSTHROUGH.rawValue
        }
    }
}
