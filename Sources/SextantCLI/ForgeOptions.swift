import ArgumentParser
import Foundation
import SextantSource

/// The flags of pull requests (DESIGN §8): which forge, its API, the token and the
/// repository. Without `--forge`, Sextant's branches are only pushed.
struct ForgeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Open (or update) a pull request for each branch Sextant pushes (default: only push the branch).", valueName: "kind"))
    var forge: ForgeKind?

    @Option(name: .customLong("forge-url"), help: ArgumentHelp("With --forge: the forge's API base (default https://api.github.com for github; required for gitlab, e.g. https://gitlab.example.com/api/v4, and gitea, e.g. https://gitea.example.com/api/v1).", valueName: "url"))
    var forgeURL: String?

    @Option(help: ArgumentHelp("With --forge: a file holding the forge's API token (required; read once, never logged).", valueName: "file"))
    var forgeTokenFile: String?

    @Option(help: ArgumentHelp("With --forge: the repository pull requests go to, OWNER/NAME (on GitLab the project's full path; default: read from --repo's URL).", valueName: "owner/name"))
    var forgeRepo: String?

    /// The forge these flags name, its token read from `--forge-token-file`; nil without
    /// `--forge`. `remote` is `--repo`, where OWNER/NAME comes from by default. Every
    /// problem is one line naming the flag (exit 2).
    func configuration(remote: String) throws -> ForgeConfiguration? {
        guard let forge else {
            let given = [("--forge-url", forgeURL), ("--forge-token-file", forgeTokenFile), ("--forge-repo", forgeRepo)].first { $0.1 != nil }
            if let (flag, _) = given { throw CommandFailure(message: "\(flag) needs --forge github|gitlab|gitea") }
            return nil
        }
        let origin = ForgeRepository.remote(remote)
        let url = try apiURL(forge, remoteHost: origin?.host)
        let repository = try repository(forge, remote: remote, origin: origin?.repository)
        guard let forgeTokenFile else {
            throw CommandFailure(message: "--forge-token-file is required with --forge \(forge.rawValue): a file holding the API token (docs/operations.md, \"Pull requests\", lists the scopes it needs)")
        }
        guard let token = ForgeToken(try RunCommand.secret(from: forgeTokenFile, flag: "--forge-token-file")) else {
            throw CommandFailure(message: "--forge-token-file \(forgeTokenFile): the token has spaces or control characters; the file must hold the token alone")
        }
        return ForgeConfiguration(kind: forge, apiURL: url, repository: repository, token: token)
    }

    private func apiURL(_ forge: ForgeKind, remoteHost: String?) throws -> String {
        if let forgeURL {
            guard let parts = URLComponents(string: forgeURL), ["http", "https"].contains(parts.scheme?.lowercased()),
                  parts.host?.isEmpty == false, parts.query == nil, parts.user == nil else {
                throw CommandFailure(message: "--forge-url \(forgeURL) is not the http(s) URL of the API, e.g. \(forge.apiURLExample)")
            }
            return forgeURL
        }
        guard let url = forge.defaultAPIURL else {
            throw CommandFailure(message: "--forge-url is required with --forge \(forge.rawValue): the API base, e.g. \(forge.apiURLExample)")
        }
        // api.github.com serves github.com only: a GitHub Enterprise repository needs its own.
        if let remoteHost, !["github.com", "www.github.com", "ssh.github.com"].contains(remoteHost.lowercased()) {
            throw CommandFailure(message: "--forge-url is required: --repo is on \(remoteHost), not github.com; for GitHub Enterprise Server it is https://\(remoteHost)/api/v3")
        }
        return url
    }

    private func repository(_ forge: ForgeKind, remote: String, origin: ForgeRepository?) throws -> ForgeRepository {
        let shape = forge == .gitlab ? "GROUP/PROJECT (or GROUP/SUBGROUP/PROJECT)" : "OWNER/NAME"
        if let forgeRepo {
            guard let repository = ForgeRepository(path: forgeRepo), repository.fits(forge) else {
                throw CommandFailure(message: "--forge-repo \(forgeRepo) is not \(shape)")
            }
            return repository
        }
        guard let origin else {
            throw CommandFailure(message: "--forge-repo is required: --repo \(remote) is not a URL that names the repository; give \(shape)")
        }
        guard origin.fits(forge) else {
            throw CommandFailure(message: "--forge-repo is required: --repo's path \(origin) is not \(shape) on \(forge.displayName)")
        }
        return origin
    }
}

extension ForgeKind: ExpressibleByArgument {}
