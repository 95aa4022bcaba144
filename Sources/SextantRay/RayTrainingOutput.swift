import Crypto
import Foundation
import SextantWire

/// A trainer's output as the Ray Job's wrapper (`runtimes/ray/sextant_train/run.py`) hands it
/// back: a stored zip, base64, between marker lines in the job's log, with its SHA-256 and
/// size on the first line. The log is the trainer's own output too, so a trainer printing
/// lookalike lines must not be taken for the wrapper: only a block whose bytes match the
/// checksum it announces counts, and the last such block wins (the wrapper prints after
/// the trainer has exited).
struct RayTrainingOutput: Equatable {
    static let begin = "==== sextant ray-train output v1 begin"
    static let end = "==== sextant ray-train output v1 end ===="

    /// The files, by their paths relative to the output directory.
    var files: [(path: String, contents: [UInt8])]

    static func == (left: Self, right: Self) -> Bool {
        left.files.map(\.path) == right.files.map(\.path) && left.files.map(\.contents) == right.files.map(\.contents)
    }

    /// The log without the output blocks whose checksum matches (what is kept as the
    /// trainer's log; lookalikes stay in it) and the last such block's bytes (nil: none).
    static func split(log: String) -> (log: String, archive: [UInt8]?) {
        var kept: [Substring] = []
        var archive: [UInt8]?
        // The open block: its lines from the header on, the checksum and size it announced.
        var block: (lines: [Substring], sha256: String, bytes: Int)?
        for line in log.split(separator: "\n", omittingEmptySubsequences: false) {
            let announced = line.hasPrefix(begin) ? header(line) : nil
            if let announced {
                // A block left open before this header was a lookalike: its lines are the log's.
                kept += block?.lines ?? []
                block = ([line], announced.sha256, announced.bytes)
            } else if let open = block, line == end {
                let bytes = Data(base64Encoded: open.lines.dropFirst().joined()).map(Array.init)
                if let bytes, bytes.count == open.bytes, hex(SHA256.hash(data: bytes)) == open.sha256 {
                    archive = bytes
                } else {
                    kept += open.lines + [line]
                }
                block = nil
            } else if block != nil {
                block?.lines.append(line)
            } else {
                kept.append(line)
            }
        }
        kept += block?.lines ?? []
        return (kept.joined(separator: "\n"), archive)
    }

    /// `==== sextant ray-train output v1 begin sha256=<64 hex> bytes=<n> ====`
    private static func header(_ line: Substring) -> (sha256: String, bytes: Int)? {
        let words = line.dropFirst(begin.count).split(separator: " ")
        guard words.count == 3, words[2] == "====", words[0].hasPrefix("sha256="), words[1].hasPrefix("bytes="),
              let bytes = Int(words[1].dropFirst("bytes=".count))
        else { return nil }
        let sha256 = String(words[0].dropFirst("sha256=".count))
        guard sha256.count == 64 else { return nil }
        return (sha256, bytes)
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    /// The files of a stored (uncompressed) zip, read through its central directory: the
    /// wrapper's archive, so nothing else is accepted (no compression, no ZIP64, relative
    /// paths without `..`, CRC-32 checked).
    init(archive bytes: [UInt8]) throws(RayTrainingOutputError) {
        func u16(_ at: Int) throws(RayTrainingOutputError) -> Int {
            guard at >= 0, at + 2 <= bytes.count else { throw .malformed("truncated") }
            return Int(bytes[at]) | Int(bytes[at + 1]) << 8
        }
        func u32(_ at: Int) throws(RayTrainingOutputError) -> Int {
            try u16(at) | (try u16(at + 2)) << 16
        }
        let endRecord = bytes.count - 22
        guard endRecord >= 0, try u32(endRecord) == 0x0605_4B50 else { throw .malformed("no end of central directory (a zip comment?)") }
        let count = try u16(endRecord + 10)
        var record = try u32(endRecord + 16)
        var files: [(path: String, contents: [UInt8])] = []
        for _ in 0..<count {
            guard try u32(record) == 0x0201_4B50 else { throw .malformed("a central directory record is missing") }
            guard try u16(record + 10) == 0 else { throw .malformed("an entry is compressed") }
            let crc = UInt32(try u32(record + 16))
            let size = try u32(record + 20)
            let nameLength = try u16(record + 28)
            let extraLength = try u16(record + 30)
            let commentLength = try u16(record + 32)
            let local = try u32(record + 42)
            guard record + 46 + nameLength <= bytes.count else { throw .malformed("truncated") }
            let path = String(decoding: bytes[(record + 46)..<(record + 46 + nameLength)], as: UTF8.self)
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            guard !path.hasPrefix("/"), !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
                throw .malformed("an entry's path \(path) is not a plain relative path")
            }
            guard try u32(local) == 0x0403_4B50 else { throw .malformed("\(path) has no local header") }
            let start = local + 30 + (try u16(local + 26)) + (try u16(local + 28))
            guard start + size <= bytes.count else { throw .malformed("truncated") }
            let contents = Array(bytes[start..<(start + size)])
            guard CRC32.checksum(contents) == crc else { throw .malformed("\(path) fails its CRC-32") }
            files.append((path, contents))
            record += 46 + nameLength + extraLength + commentLength
        }
        self.files = files
    }

    /// Writes the files under `directory` (created).
    func write(into directory: String) throws(RayTrainingOutputError) {
        for file in files {
            let url = URL(fileURLWithPath: directory).appendingPathComponent(file.path)
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents).write(to: url)
            } catch {
                throw .unwritable("cannot write \(url.path): \(error.localizedDescription)")
            }
        }
    }
}

/// The wrapper's archive could not be read or kept.
enum RayTrainingOutputError: Error, Equatable {
    case malformed(String)
    case unwritable(String)

    var message: String {
        switch self {
        case .malformed(let reason): "the output block in the job's log is not the wrapper's stored zip: \(reason)"
        case .unwritable(let reason): reason
        }
    }
}
