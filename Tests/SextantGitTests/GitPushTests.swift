import Dispatch
import Foundation
import Testing
import SextantGit
import SextantTestSupport

/// Commits written into a bare mirror and pushed to real remotes, checked with the `git` binary.
@Suite struct GitPushTests {
    static let time = Date(timeIntervalSince1970: 1_795_000_000)

    /// A bare repository to push to, cloned from a fixture, and Sextant's mirror of it.
    struct Remote {
        let upstream: GitFixture
        let work: TemporaryDirectory
        let base: String
        var path: String { work.path + "/remote.git" }

        init() throws {
            upstream = try GitFixture()
            let script = try upstream.directory.write("run.sh", "#!/bin/sh\n")
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
            base = try upstream.commit("first", files: ["models/a.yaml": "a: 1\n", "models/b.yaml": "b: 1\n", "README.md": "hi\n"])
            work = try TemporaryDirectory("sextant-remote")
            try upstream.git("clone", "-q", "--bare", upstream.path, work.path + "/remote.git")
        }

        func mirror(of url: String) throws -> GitRepository {
            let repository = try GitRepository.mirror(of: url, at: work.path + "/mirror.git")
            _ = try repository.fetch(branch: "main")
            return repository
        }

        /// `git` run in the bare remote.
        func git(_ arguments: String...) throws -> String {
            let output = try runProcessBlocking("/usr/bin/git", ["--git-dir", path] + arguments, environment: ["PATH": "/usr/bin:/bin", "HOME": work.path])
            guard output.status == 0 else { throw FixtureError("git \(arguments.joined(separator: " ")): \(output.stderr)") }
            return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Serves the remote with `git daemon`, pushes allowed, as libgit2's `file://`
        /// transport writes objects and refs directly (no hooks, no receive settings).
        func serve() async throws -> (daemon: BackgroundProcess, url: String) {
            let port = try freePort()
            let execPath = try await runProcess("/usr/bin/git", ["--exec-path"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let daemon = try BackgroundProcess(execPath + "/git-daemon", [
                "--reuseaddr", "--export-all", "--enable=receive-pack", "--base-path=\(work.path)", "--listen=127.0.0.1", "--port=\(port)", work.path,
            ], logPath: work.path + "/git-daemon.log")
            let url = "git://127.0.0.1:\(port)/remote.git"
            let up = try await eventually { try await runProcess("/usr/bin/git", ["ls-remote", url], environment: ["PATH": "/usr/bin:/bin"]).status == 0 }
            guard up else { throw FixtureError("git daemon did not start: \(daemon.log)") }
            return (daemon, url)
        }

        func hook(_ name: String, _ script: String) throws {
            let hook = path + "/hooks/" + name
            try script.write(toFile: hook, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
        }
    }

    @Test("a commit replaces, adds and deletes files of its parent's tree, keeps modes, and is pushed as a branch")
    func commitAndPush() throws {
        let remote = try Remote()
        let url = "file://" + remote.path
        let mirror = try remote.mirror(of: url)
        let author = GitSignature(name: "Sextant", email: "sextant@localhost")
        let head = try mirror.commit(parent: remote.base, changes: [
            "models/a.yaml": Array("a: 2\n".utf8), "models/c.yaml": Array("c: 1\n".utf8), "README.md": nil, "run.sh": Array("#!/bin/sh\nexit 0\n".utf8),
        ], message: "Retrain a on new data\n\nThe dataset changed.", author: author, time: Self.time)
        try mirror.push(commit: head, to: "sextant/retrain/a", remote: url, credentials: .none)

        #expect(try remote.git("rev-parse", "refs/heads/sextant/retrain/a") == head)
        #expect(try remote.git("rev-parse", "sextant/retrain/a^") == remote.base)
        #expect(try remote.git("log", "-1", "--format=%an <%ae>|%cn <%ce>|%at|%s", "sextant/retrain/a") == "Sextant <sextant@localhost>|Sextant <sextant@localhost>|1795000000|Retrain a on new data")
        #expect(try remote.git("diff", "--name-status", "\(remote.base)..sextant/retrain/a") == "D\tREADME.md\nM\tmodels/a.yaml\nA\tmodels/c.yaml\nM\trun.sh")
        #expect(try remote.git("show", "sextant/retrain/a:models/a.yaml") == "a: 2")
        #expect(try remote.git("ls-tree", "sextant/retrain/a", "run.sh").hasPrefix("100755 "))
        // The followed branch is untouched, and the mirror still fetches it.
        #expect(try remote.git("rev-parse", "main") == remote.base)
        #expect(try mirror.fetch(branch: "main") == remote.base)
    }

    @Test("a second push replaces the branch in place, even when it does not descend from the first")
    func forceUpdate() throws {
        let remote = try Remote()
        let url = "file://" + remote.path
        let mirror = try remote.mirror(of: url)
        let first = try mirror.commit(parent: remote.base, changes: ["models/a.yaml": Array("a: 2\n".utf8)], message: "one", author: .sextant, time: Self.time)
        try mirror.push(commit: first, to: "sextant/retrain/a", remote: url, credentials: .none)
        let second = try mirror.commit(parent: remote.base, changes: ["models/a.yaml": Array("a: 3\n".utf8)], message: "two", author: .sextant, time: Self.time)
        try mirror.push(commit: second, to: "sextant/retrain/a", remote: url, credentials: .none)
        #expect(try remote.git("rev-parse", "sextant/retrain/a") == second)
        #expect(try remote.git("for-each-ref", "--format=%(refname)") == "refs/heads/main\nrefs/heads/sextant/retrain/a")
    }

    @Test("a repository with a work tree, by path or file://, gets the branch (it fetches it), twice in place; its checkout is untouched", arguments: ["", "file://"])
    func workTreeRepository(scheme: String) throws {
        let remote = try Remote()
        let url = scheme + remote.upstream.path
        let mirror = try remote.mirror(of: url)
        let first = try mirror.commit(parent: remote.base, changes: ["models/a.yaml": Array("a: 2\n".utf8)], message: "one", author: .sextant, time: Self.time)
        try mirror.push(commit: first, to: "sextant/rollback/a", remote: url, credentials: .none)
        let second = try mirror.commit(parent: remote.base, changes: ["models/b.yaml": Array("b: 2\n".utf8)], message: "two", author: .sextant, time: Self.time)
        try mirror.push(commit: second, to: "sextant/rollback/a", remote: url, credentials: .none)
        #expect(try remote.upstream.git("rev-parse", "sextant/rollback/a").trimmingCharacters(in: .whitespacesAndNewlines) == second)
        #expect(try remote.upstream.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines) == remote.base)
        #expect(try remote.upstream.git("status", "--porcelain").isEmpty)
    }

    @Test("a refused push names the remote, the branch and the server's reason")
    func refused() async throws {
        let remote = try Remote()
        try remote.hook("pre-receive", "#!/bin/sh\necho 'sextant/* is protected' >&2\nexit 1\n")
        let (daemon, url) = try await remote.serve()
        let (head, error) = try await offPool { () throws -> (String, GitError?) in
            let mirror = try remote.mirror(of: url)
            let head = try mirror.commit(parent: remote.base, changes: ["models/a.yaml": Array("a: 2\n".utf8)], message: "one", author: .sextant, time: Self.time)
            do throws(GitError) { try mirror.push(commit: head, to: "sextant/retrain/a", remote: url, credentials: .none) } catch { return (head, error) }
            return (head, nil)
        }
        #expect(error?.description == "push \(head.prefix(7)) to sextant/retrain/a on \(url): the remote refused the update: pre-receive hook declined")
        #expect(throws: (any Error).self) { try remote.git("rev-parse", "--verify", "refs/heads/sextant/retrain/a") }
        await daemon.stop(SIGKILL)
    }

    @Test("a server that denies non-fast-forwards refuses a replacing push, with its reason")
    func nonFastForward() async throws {
        let remote = try Remote()
        _ = try remote.git("config", "receive.denyNonFastForwards", "true")
        let (daemon, url) = try await remote.serve()
        let (first, second, error) = try await offPool { () throws -> (String, String, GitError?) in
            let mirror = try remote.mirror(of: url)
            let first = try mirror.commit(parent: remote.base, changes: ["models/a.yaml": Array("a: 2\n".utf8)], message: "one", author: .sextant, time: Self.time)
            try mirror.push(commit: first, to: "sextant/retrain/a", remote: url, credentials: .none)
            let second = try mirror.commit(parent: remote.base, changes: ["models/a.yaml": Array("a: 3\n".utf8)], message: "two", author: .sextant, time: Self.time)
            do throws(GitError) { try mirror.push(commit: second, to: "sextant/retrain/a", remote: url, credentials: .none) } catch { return (first, second, error) }
            return (first, second, nil)
        }
        #expect(error?.description.hasPrefix("push \(second.prefix(7)) to sextant/retrain/a on \(url): the remote refused the update: ") == true, "\(String(describing: error))")
        #expect(try remote.git("rev-parse", "sextant/retrain/a") == first)
        await daemon.stop(SIGKILL)
    }

    @Test("a push to a missing repository is an error naming it and the branch, with the password redacted")
    func missingRepository() throws {
        let remote = try Remote()
        let mirror = try remote.mirror(of: "file://" + remote.path)
        let url = "https://sextant:s3cret@127.0.0.1:\(try freePort())/nothing.git"
        let error = #expect(throws: GitError.self) { try mirror.push(commit: remote.base, to: "sextant/rollback/a", remote: url, credentials: .none) }
        #expect(error?.operation == "push \(remote.base.prefix(7)) to sextant/rollback/a on https://sextant:***@127.0.0.1:\(url.split(separator: ":")[3])")
        #expect(error?.description.contains("s3cret") == false)
    }

    @Test("a push over git:// reaches a git daemon that accepts pushes")
    func gitDaemon() async throws {
        let remote = try Remote()
        let (daemon, url) = try await remote.serve()
        let head = try await offPool { () throws -> String in
            let mirror = try remote.mirror(of: url)
            let head = try mirror.commit(parent: remote.base, changes: ["models/b.yaml": Array("b: 2\n".utf8)], message: "over git://", author: .sextant, time: Self.time)
            try mirror.push(commit: head, to: "sextant/rollback/b", remote: url, credentials: .none)
            return head
        }
        #expect(try remote.git("rev-parse", "sextant/rollback/b") == head)
        #expect(try remote.git("diff", "--numstat", "\(remote.base)..sextant/rollback/b") == "1\t1\tmodels/b.yaml")
        await daemon.stop(SIGKILL)
    }

    static let hasPython = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    @Test("over HTTP, the token from the credentials file is sent as basic auth; a wrong one is refused",
          .enabled(if: hasPython, "the test's HTTP server (git http-backend behind basic auth) is a Python script; /usr/bin/python3 is missing"))
    func httpCredentials() async throws {
        let remote = try Remote()
        let port = try freePort()
        let script = try remote.work.write("server.py", Self.httpServer)
        let server = try BackgroundProcess("/usr/bin/python3", [script, remote.work.path, String(port), "robot:t0ken"], logPath: remote.work.path + "/http.log")
        let url = "http://127.0.0.1:\(port)/remote.git"
        let up = try await eventually { (try? await runProcess("/usr/bin/git", ["ls-remote", "http://robot:t0ken@127.0.0.1:\(port)/remote.git"], environment: ["PATH": "/usr/bin:/bin"]).status) == 0 }
        try #require(up, "the HTTP server did not start: \(server.log)")

        let tokenFile = try remote.work.write("token", "# the deploy token\nrobot:t0ken\n")
        let credentials = try GitCredentials.read(from: tokenFile)
        let head = try await offPool { () throws -> String in
            let mirror = try remote.mirror(of: "file://" + remote.path)
            let head = try mirror.commit(parent: remote.base, changes: ["models/a.yaml": Array("a: 9\n".utf8)], message: "over http", author: .sextant, time: Self.time)
            try mirror.push(commit: head, to: "sextant/retrain/a", remote: url, credentials: credentials)
            return head
        }
        #expect(try remote.git("rev-parse", "sextant/retrain/a") == head)

        let wrong = try await offPool { () throws -> GitError? in
            let mirror = try remote.mirror(of: "file://" + remote.path)
            do throws(GitError) { try mirror.push(commit: remote.base, to: "sextant/retrain/a", remote: url, credentials: .token(user: "robot", token: "wrong")) } catch { return error }
            return nil
        }
        #expect(wrong?.description == "push \(remote.base.prefix(7)) to sextant/retrain/a on \(url): the remote refused the credentials (token for robot); check --git-credentials-file")
        #expect(try remote.git("rev-parse", "sextant/retrain/a") == head)
        await server.stop(SIGKILL)
    }

    struct CredentialCase: Sendable, CustomTestStringConvertible {
        var content: String
        var expected: GitCredentials?
        var testDescription: String { content.debugDescription }
    }

    static let credentialCases: [CredentialCase] = [
        .init(content: "ghp_abc123\n", expected: .token(user: nil, token: "ghp_abc123")),
        .init(content: "# comment\n\n  oauth2:glpat-xyz  \n", expected: .token(user: "oauth2", token: "glpat-xyz")),
        .init(content: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbg==\n-----END OPENSSH PRIVATE KEY-----\n",
              expected: .sshKey(privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbg==\n-----END OPENSSH PRIVATE KEY-----\n")),
        .init(content: "\n# nothing\n", expected: nil),
        .init(content: "one\ntwo\n", expected: nil),
        .init(content: ":token\n", expected: nil),
    ]

    @Test("a credentials file holds a token, user:token or an SSH private key", arguments: credentialCases)
    func credentialsFile(_ testCase: CredentialCase) throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("credentials", testCase.content)
        if let expected = testCase.expected {
            #expect(try GitCredentials.read(from: path) == expected)
        } else {
            let error = #expect(throws: GitError.self) { try GitCredentials.read(from: path) }
            #expect(error?.description.hasPrefix("read git credentials \(path): ") == true)
            #expect(error?.description.contains("two") == false)
        }
    }

    @Test("credentials never print their secret")
    func credentialsDescription() {
        #expect(GitCredentials.token(user: "robot", token: "t0ken").description == "token for robot")
        #expect(GitCredentials.sshKey(privateKey: "KEY").description == "SSH private key")
    }

    @Test("an author is Name <email>", arguments: [
        ("Sextant <sextant@localhost>", GitSignature.sextant), ("  Ada Lovelace <ada@example.com> ", GitSignature(name: "Ada Lovelace", email: "ada@example.com")),
        ("sextant@localhost", nil), ("<a@b>", nil), ("A <a b@c>", nil),
    ] as [(String, GitSignature?)])
    func author(_ text: String, _ expected: GitSignature?) {
        #expect(GitSignature(parsing: text) == expected)
    }

    /// Serves `git http-backend` on 127.0.0.1 behind HTTP basic auth: argv root, port, user:token.
    static let httpServer = #"""
        import base64, subprocess, sys
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        root, port, expected = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        class Handler(BaseHTTPRequestHandler):
            def body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    data = b""
                    while True:
                        size = int(self.rfile.readline().strip(), 16)
                        chunk = self.rfile.read(size + 2)
                        if size == 0:
                            return data
                        data += chunk[:-2]
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))
            def serve(self):
                body = self.body()
                if self.headers.get("Authorization", "") != "Basic " + base64.b64encode(expected.encode()).decode():
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="git"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                path, _, query = self.path.partition("?")
                env = {"GIT_PROJECT_ROOT": root, "GIT_HTTP_EXPORT_ALL": "1", "PATH_INFO": path, "QUERY_STRING": query,
                       "REQUEST_METHOD": self.command, "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                       "CONTENT_LENGTH": str(len(body)), "REMOTE_USER": expected.split(":")[0], "REMOTE_ADDR": "127.0.0.1",
                       "PATH": "/usr/bin:/bin", "HOME": root}
                out = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True).stdout
                head, _, rest = out.partition(b"\r\n\r\n")
                status, headers = 200, []
                for line in head.decode().split("\r\n"):
                    name, _, value = line.partition(": ")
                    if name.lower() == "status":
                        status = int(value.split()[0])
                    elif name:
                        headers.append((name, value))
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(rest)))
                self.end_headers()
                self.wfile.write(rest)
            do_GET = serve
            do_POST = serve
        ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
        """#
}

/// Runs blocking libgit2 work on a Dispatch thread, off the cooperative pool.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try work() })
        }
    }
}

extension GitPushTests.Remote: @unchecked Sendable {}
