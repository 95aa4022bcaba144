import Foundation
import Testing
@testable import SextantCLI
import SextantGit
import SextantSource
import SextantTestSupport

/// `run`'s `--git-author` and `--git-credentials-file`, as the value handed to the daemon.
@Suite struct GitWriteOptionsTests {
    @Test("the default author is Sextant <sextant@localhost>, and pushes present nothing without a credentials file")
    func defaults() throws {
        #expect(try RunCommand.branchWriteSettings(author: GitSignature.sextant.description, credentialsFile: nil)
            == BranchWriteSettings(author: .sextant, credentials: .none))
    }

    @Test("the author and the credentials file are read into the settings")
    func given() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("push-token", "robot:t0ken\n")
        #expect(chmod(path, 0o600) == 0)
        let settings = try RunCommand.branchWriteSettings(author: "ML Bot <ml@example.com>", credentialsFile: path)
        #expect(settings.author == GitSignature(name: "ML Bot", email: "ml@example.com"))
        #expect(settings.credentials == .token(user: "robot", token: "t0ken"))
    }
}
