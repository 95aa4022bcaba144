/// A reproducible POSIX ustar archive: entries sorted by path, every header with mode 0644,
/// uid and gid 0, no user names and mtime 0, so identical files give identical bytes
/// (DESIGN §5 "Tar layers are reproducible").
enum Tar {
    struct Entry {
        var path: String
        var bytes: [UInt8]
    }

    enum Failure: Error, CustomStringConvertible {
        case pathTooLong(String)

        var description: String {
            switch self {
            case .pathTooLong(let path): "\(path): tar paths are limited to 100 bytes"
            }
        }
    }

    static func archive(_ entries: [Entry]) throws(Failure) -> [UInt8] {
        var output: [UInt8] = []
        for entry in entries.sorted(by: { $0.path < $1.path }) {
            output += try header(path: entry.path, size: entry.bytes.count)
            output += entry.bytes
            output += [UInt8](repeating: 0, count: (512 - entry.bytes.count % 512) % 512)
        }
        output += [UInt8](repeating: 0, count: 1024)  // two zero blocks end the archive
        return output
    }

    private static func header(path: String, size: Int) throws(Failure) -> [UInt8] {
        let name = Array(path.utf8)
        guard name.count <= 100 else { throw .pathTooLong(path) }
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ bytes: [UInt8], at offset: Int) {
            for (index, byte) in bytes.enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, width: Int) -> [UInt8] {
            let digits = String(value, radix: 8)
            return Array((String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits).utf8) + [0]
        }
        put(name, at: 0)
        put(octal(0o644, width: 8), at: 100)   // mode
        put(octal(0, width: 8), at: 108)       // uid
        put(octal(0, width: 8), at: 116)       // gid
        put(octal(size, width: 12), at: 124)   // size
        put(octal(0, width: 12), at: 136)      // mtime
        put(Array("        ".utf8), at: 148)   // checksum, spaces while summing
        block[156] = UInt8(ascii: "0")         // regular file
        put(Array("ustar".utf8) + [0], at: 257)
        put(Array("00".utf8), at: 263)
        let checksum = block.reduce(0) { $0 + Int($1) }
        let digits = Array(String(checksum, radix: 8).utf8)
        put([UInt8](repeating: UInt8(ascii: "0"), count: 6 - digits.count) + digits + [0, UInt8(ascii: " ")], at: 148)
        return block
    }
}
