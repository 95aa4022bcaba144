import Foundation
import SextantTestSupport
import Testing

/// `--runtime` and the Ray flags: a wrong combination is refused before anything runs, with
/// the flag named and what to give.
@Suite struct RuntimeFlagsEndToEndTests {
    static let cases: [([String], String)] = [
        (["--runtime", "ray"], "Error: --runtime ray needs --ray-address, the Ray dashboard's URL, e.g. --ray-address http://127.0.0.1:8265"),
        (["--ray-address", "http://127.0.0.1:8265"], "Error: --ray-address needs --runtime ray"),
        (["--runtime", "ray", "--ray-address", "ftp://head:8265"], "Error: --ray-address ftp://head:8265 is not an http(s) URL, e.g. http://127.0.0.1:8265"),
        (["--runtime", "ray", "--ray-address", "http://127.0.0.1:8265", "--ray-serve-port", "0"], "Error: --ray-serve-port 0 is not a port (1-65535)"),
        (["--runtime", "kubernetes"], "Error: The value 'kubernetes' is invalid for '--runtime <runtime>'. Please provide one of 'embedded' and 'ray'."),
    ]

    @Test("a wrong --runtime, --ray-address or --ray-serve-port is refused, named, before anything runs", arguments: cases)
    func refused(_ flags: [String], _ message: String) async throws {
        let state = try TemporaryDirectory()
        for command in [["reconcile", "--once"], ["run"]] {
            let result = try await runProcess(sextantBinary, command + ["--repo", packageRoot, "--state-dir", state.path] + flags)
            #expect(result.status == 2, "\(command): \(result.stderr)")
            #expect(result.stderr.hasPrefix(message + "\n"), "\(command): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: state.path + "/state.sqlite"), "nothing was started")
    }
}
