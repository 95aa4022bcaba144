import Foundation
import Testing
import SextantAPI
import SextantYAML
import Synchronization
import SextantTestSupport

/// The corpus under BadInput/: each case is a watched root whose `expected.txt` lists every
/// diagnostic it must produce, as `FILE:LINE:COL: part of the message`.
@Suite struct BadInputTests {
    static let corpus = "\(packageRoot)/Tests/SextantAPITests/BadInput"

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: corpus)) ?? [])
            .filter { !$0.hasSuffix(".md") }
            .sorted()
    }

    struct Expectation: CustomStringConvertible {
        var file: String
        var line: Int
        var column: Int
        var fragment: String
        var description: String { "\(file):\(line):\(column): \(fragment)" }

        init?(_ text: Substring) {
            let parts = text.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count == 4, let line = Int(parts[1]), let column = Int(parts[2]) else { return nil }
            file = String(parts[0])
            self.line = line
            self.column = column
            fragment = parts[3].trimmingCharacters(in: .whitespaces)
        }

        func matches(_ diagnostic: Diagnostic, root: String) -> Bool {
            diagnostic.file == "\(root)/\(file)" && diagnostic.mark.line == line && diagnostic.mark.column == column
                && diagnostic.message.contains(fragment)
        }
    }

    @Test("the corpus holds at least 30 cases")
    func size() {
        #expect(Self.cases.count >= 30)
    }

    @Test("each broken input yields exactly its expected diagnostics", arguments: cases)
    func badInput(name: String) throws {
        let root = "\(Self.corpus)/\(name)"
        let expectedText = try String(contentsOfFile: "\(root)/expected.txt", encoding: .utf8)
        let expectations = expectedText.split(separator: "\n").filter { !$0.isEmpty && !$0.hasPrefix("#") }.map { line in
            let expectation = Expectation(line)
            #expect(expectation != nil, "malformed line in \(name)/expected.txt: \(line)")
            return expectation
        }.compactMap { $0 }
        #expect(!expectations.isEmpty, "\(name) expects no diagnostic")
        let result = try ManifestLoader().load(DirectorySource(root: root))
        var unmatched = result.diagnostics
        for expectation in expectations {
            if let index = unmatched.firstIndex(where: { expectation.matches($0, root: root) }) {
                unmatched.remove(at: index)
            } else {
                Issue.record("\(name): missing \(expectation); got:\n\(result.diagnostics.map(\.description).joined(separator: "\n"))")
            }
        }
        #expect(unmatched.isEmpty, "\(name): unexpected diagnostics:\n\(unmatched.map(\.description).joined(separator: "\n"))")
        #expect(!result.isValid)
    }

    @Test("a 10 MB scalar is refused by the file size limit, and a 2 MB one by the scalar limit")
    func hugeScalar() throws {
        let directory = try TemporaryDirectory()
        let huge = "apiVersion: sextant.dev/v1alpha1\nkind: RolloutPolicy\nmetadata:\n  name: big\n  annotations:\n    blob: "
        let big = huge + String(repeating: "x", count: 10 << 20) + "\nspec: {strategy: replace}\n"
        try directory.write("big.yaml", big)
        try directory.write("long.yaml", huge + String(repeating: "y", count: 2 << 20) + "\nspec: {strategy: replace}\n")
        let result = try ManifestLoader().load(DirectorySource(root: directory.path))
        #expect(result.diagnostics.map(\.description) == [
            "\(directory.path)/big.yaml:1:1: file is \(big.utf8.count) bytes, more than the limit of 4194304 bytes; split it or keep large data out of manifests",
            "\(directory.path)/long.yaml:6:11: scalar of 2097152 bytes is longer than the limit of 1048576 bytes; keep large data out of manifests",
        ])
    }

    @Test("a 1 GiB manifest is refused by its size, measured before a byte of it is read")
    func measuredBeforeRead() throws {
        let directory = try TemporaryDirectory()
        try directory.write("small.yaml", "apiVersion: sextant.dev/v1alpha1\nkind: RolloutPolicy\nmetadata: {name: small}\nspec: {strategy: replace}\n")
        let huge = try directory.write("huge.yaml", "")
        #expect(truncate(huge, 1 << 30) == 0, "a sparse file: no disk, and 1 GiB to whoever reads it")
        let source = ReadRecorder(try DirectorySource(root: directory.path))
        let result = try ManifestLoader().load(source)
        #expect(result.diagnostics.map(\.description) == [
            "\(directory.path)/huge.yaml:1:1: file is 1073741824 bytes, more than the limit of 4194304 bytes; split it or keep large data out of manifests",
        ])
        #expect(result.manifests.rolloutPolicies.map(\.metadata.name) == ["small"])
        #expect(source.bytesRead.withLock { $0["huge.yaml"] } == nil, "never read")
        #expect(source.bytesRead.withLock { $0["small.yaml"] } != nil)
    }
}

/// A source that records how many bytes each file gave, to show what was never read.
final class ReadRecorder<Source: ManifestSource>: ManifestSource {
    let source: Source
    let bytesRead = Mutex<[String: Int]>([:])

    init(_ source: Source) {
        self.source = source
    }

    func displayPath(_ path: String) -> String { source.displayPath(path) }
    func listFiles() throws(SourceError) -> [SourceFile] { try source.listFiles() }
    func status(of path: String) -> PathStatus { source.status(of: path) }
    func byteCount(_ path: String) -> Int? { source.byteCount(path) }
    func contentID(_ path: String) -> String? { source.contentID(path) }

    func read(_ path: String) throws(SourceError) -> [UInt8] {
        record(path, try source.read(path))
    }

    func readPrefix(_ path: String, count: Int) throws(SourceError) -> [UInt8] {
        record(path, try source.readPrefix(path, count: count))
    }

    private func record(_ path: String, _ bytes: [UInt8]) -> [UInt8] {
        bytesRead.withLock { $0[path, default: 0] += bytes.count }
        return bytes
    }
}
