import Crypto
import Foundation
@testable import SextantRay
import Testing

/// The trainer's output as the wrapper prints it into the job's log: the last block whose
/// checksum matches wins, lookalikes stay in the kept log, the archive is read strictly.
@Suite struct RayTrainingOutputTests {
    static func block(_ archive: [UInt8], sha256: String? = nil, bytes: Int? = nil) -> String {
        let hex = sha256 ?? SHA256.hash(data: archive).map { String(format: "%02x", $0) }.joined()
        let text = Data(archive).base64EncodedString()
        let lines = stride(from: 0, to: text.count, by: 10).map { start in
            String(text.dropFirst(start).prefix(10))
        }
        return ([RayTrainingOutput.begin + " sha256=\(hex) bytes=\(bytes ?? archive.count) ===="] + lines + [RayTrainingOutput.end]).joined(separator: "\n")
    }

    static let first = try! ZipArchive.archive([.init(path: "model.bin", contents: [0, 1, 2, 255])])
    static let second = try! ZipArchive.archive([.init(path: "a.txt", contents: Array("a".utf8)), .init(path: "dir/b.bin", contents: [9, 8])])

    @Test("the last block with a matching checksum wins; the log is kept without it, lookalikes included")
    func lastMatchingBlockWins() throws {
        let wrongChecksum = Self.block(Self.first, sha256: String(repeating: "0", count: 64))
        let wrongSize = Self.block(Self.first, bytes: 3)
        let leftOpen = RayTrainingOutput.begin + " sha256=\(String(repeating: "1", count: 64)) bytes=1 ===="
        let log = ["start", Self.block(Self.first), wrongChecksum, wrongSize, leftOpen, "middle", Self.block(Self.second), "end"].joined(separator: "\n")
        let (kept, archive) = RayTrainingOutput.split(log: log)
        #expect(archive == Self.second)
        #expect(kept == ["start", wrongChecksum, wrongSize, leftOpen, "middle", "end"].joined(separator: "\n"))
    }

    @Test("a log without a block has no archive and is kept whole")
    func noBlock() {
        let log = "a\n" + RayTrainingOutput.begin + " sha256=x bytes=1 ====\nb\n"
        let (kept, archive) = RayTrainingOutput.split(log: log)
        #expect(archive == nil)
        #expect(kept == log)
    }

    @Test("the wrapper's stored zip is read back file by file")
    func readsArchive() throws {
        let output = try RayTrainingOutput(archive: Self.second)
        #expect(output.files.map(\.path) == ["a.txt", "dir/b.bin"])
        #expect(output.files.map(\.contents) == [Array("a".utf8), [9, 8]])
        #expect(try RayTrainingOutput(archive: try ZipArchive.archive([])).files.isEmpty)
    }

    @Test("an archive with a path out of the output directory, or a corrupted entry, is refused", arguments: [
        ("../escape", false), ("/absolute", false), ("a//b", false), ("fine.bin", true),
    ])
    func refusesBadArchives(path: String, corrupt: Bool) throws {
        var bytes = try ZipArchive.archive([.init(path: path, contents: [1, 2, 3])])
        if corrupt { bytes[30 + path.utf8.count] ^= 0xFF }  // the entry's first byte: its CRC-32 no longer matches
        #expect(throws: RayTrainingOutputError.self) { try RayTrainingOutput(archive: bytes) }
    }

    static func job(_ status: String, errorType: String? = nil, seconds: Double) throws -> RayJob {
        let error = errorType.map { #", "error_type": "\#($0)""# } ?? ""
        let json = #"{"submission_id": "t", "status": "\#(status)", "entrypoint": "python3 x"\#(error), "start_time": 1000000, "end_time": \#(1_000_000 + seconds * 1000)}"#
        return try JSONDecoder().decode(RayJob.self, from: Data(json.utf8))
    }

    @Test("a job that ended without the trainer's doing takes another attempt; the trainer's own end is adopted", arguments: [
        ("SUCCEEDED", nil, 5.0, false),
        ("FAILED", "JOB_ENTRYPOINT_COMMAND_ERROR", 5, false),  // the trainer's exit status
        ("FAILED", "RUNTIME_ENV_SETUP_FAILURE", 5, true),
        ("FAILED", "JOB_SUPERVISOR_ACTOR_DIED", 5, true),
        ("STOPPED", nil, 60, false),  // stopped at its timeout of 60 s
        ("STOPPED", nil, 5, true),  // stopped early: a cancelled training
        ("RUNNING", nil, 5, false),
    ] as [(String, String?, Double, Bool)])
    func endedWithoutTrainer(status: String, errorType: String?, seconds: Double, anotherAttempt: Bool) throws {
        #expect(RayTraining.endedWithoutTrainer(try Self.job(status, errorType: errorType, seconds: seconds), timeout: .seconds(60)) == anotherAttempt)
    }

    @Test("submission ids come from the model and the fingerprint, one per attempt")
    func submissionIDs() {
        let fingerprint = "0123456789abcdef" + String(repeating: "f", count: 48)
        #expect(RayTraining.submissionID(model: "churn", fingerprint: fingerprint) == "sextant-train-churn-0123456789abcdef")
        #expect(RayTraining.submissionID(model: "churn", fingerprint: fingerprint, attempt: 2) == "sextant-train-churn-0123456789abcdef-2")
    }
}
