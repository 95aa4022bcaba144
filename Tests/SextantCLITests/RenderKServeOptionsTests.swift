import ArgumentParser
import Foundation
import SextantTestSupport
import Testing
@testable import SextantCLI

/// `render kserve`'s flags and files: a usage error names the flag and what to give, and
/// a missing state directory or watched root says which flag to fix.
@Suite struct RenderKServeOptionsTests {
    static func message(_ arguments: [String]) -> String? {
        do {
            _ = try RenderKServeCommand.parse(arguments)
            return nil
        } catch {
            return RenderKServeCommand.message(for: error)
        }
    }

    @Test("flags KServe cannot use are refused, naming the flag", arguments: [
        (["--registry", "oci://registry.example.com/ml"], "--registry oci://registry.example.com/ml must be a repository without scheme or digest"),
        (["--registry", "registry.example.com/ml@sha256:00"], "must be a repository without scheme or digest"),
        (["--registry", "r.example.com/ml", "--namespace", "ML"], "--namespace ML is not a Kubernetes namespace name"),
        (["--registry", "r.example.com/ml", "--image", ""], "--image must name a container image"),
        ([], "Missing expected argument '--registry <repo>'"),
    ])
    func refused(arguments: [String], expected: String) {
        let message = Self.message(arguments)
        #expect(message?.contains(expected) == true, "\(message ?? "accepted")")
    }

    @Test("good flags parse, with the defaults the help states")
    func accepted() throws {
        let command = try RenderKServeCommand.parse(["--registry", "localhost:5000/ml", "--namespace", "ml-prod"])
        #expect(command.path == "." && command.stateDir == nil && command.server == nil && command.output == nil && command.image == nil)
        #expect(throws: (any Error).self, "--state-dir and --server are one or the other") {
            try RenderKServeCommand.parse(["--registry", "r.example.com/ml", "--state-dir", "s", "--server", "http://127.0.0.1:7070"])
        }
        #expect(throws: (any Error).self, "a server is an http(s) URL") {
            try RenderKServeCommand.parse(["--registry", "r.example.com/ml", "--server", "127.0.0.1:7070"])
        }
    }

    @Test("a state directory with no store, or a path with no manifests, is an error naming the flag")
    func missingInputs() async throws {
        let directory = try TemporaryDirectory()
        let noState = try RenderKServeCommand.parse(["--registry", "r.example.com/ml", "--path", packageRoot + "/examples/quickstart",
                                                     "--state-dir", directory.path + "/none"])
        await #expect { try await noState.run() } throws: { error in
            (error as? CommandFailure)?.message.contains("--state-dir") == true
        }
        let empty = try TemporaryDirectory()
        let noManifests = try RenderKServeCommand.parse(["--registry", "r.example.com/ml", "--path", empty.path])
        await #expect { try await noManifests.run() } throws: { error in
            (error as? CommandFailure)?.message.contains("--path \(empty.path): no .yaml or .yml manifests found") == true
        }
    }
}
