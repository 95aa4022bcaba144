import SextantWire

/// A zip archive of stored (uncompressed) entries, byte for byte the same for the same
/// entries: entries in the order given, every timestamp 1980-01-01 00:00, Unix modes in
/// the external attributes (Ray's unzip restores them: an executable stays one), UTF-8
/// names. Stored, not deflated: a working directory is a few scripts and model files, and
/// Ray keeps the package in its GCS either way. No ZIP64, so under 4 GiB and 65,535 entries.
package struct ZipArchive: Sendable {
    /// One file of the archive: its path inside (with `/`), its bytes and its Unix mode.
    package struct Entry: Equatable, Sendable {
        package var path: String
        package var contents: [UInt8]
        package var mode: UInt16

        package init(path: String, contents: [UInt8], mode: UInt16 = 0o644) {
            self.path = path
            self.contents = contents
            self.mode = mode
        }
    }

    private var bytes: [UInt8] = []
    private var centralDirectory: [UInt8] = []
    private var count = 0

    package init() {}

    /// The archive of `entries`, in that order.
    package static func archive(_ entries: [Entry]) throws(ZipArchiveError) -> [UInt8] {
        var archive = ZipArchive()
        for entry in entries { try archive.append(entry) }
        return try archive.finished()
    }

    /// Adds one file: its local header and contents now, its central directory record for `finished()`.
    package mutating func append(_ entry: Entry) throws(ZipArchiveError) {
        let name = Array(entry.path.utf8)
        guard !name.isEmpty, name.count <= Int(UInt16.max) else { throw .badPath(entry.path) }
        guard entry.contents.count < Int(UInt32.max), bytes.count < Int(UInt32.max) else { throw .tooLarge(entry.path) }
        guard count < Int(UInt16.max) else { throw .tooManyEntries }
        let crc = CRC32.checksum(entry.contents)
        let offset = UInt32(bytes.count)
        let size = UInt32(entry.contents.count)

        append32(0x0403_4B50, to: &bytes)
        appendCommonFields(crc: crc, size: size, nameLength: UInt16(name.count), to: &bytes)
        append16(0, to: &bytes)  // extra field length
        bytes += name
        bytes += entry.contents

        append32(0x0201_4B50, to: &centralDirectory)
        append16(3 << 8 | 20, to: &centralDirectory)  // made by: Unix, zip 2.0 (so the mode is read)
        appendCommonFields(crc: crc, size: size, nameLength: UInt16(name.count), to: &centralDirectory)
        append16(0, to: &centralDirectory)  // extra field length
        append16(0, to: &centralDirectory)  // comment length
        append16(0, to: &centralDirectory)  // disk number
        append16(0, to: &centralDirectory)  // internal attributes
        append32(UInt32(0o100000 | entry.mode) << 16, to: &centralDirectory)  // a regular file and its mode
        append32(offset, to: &centralDirectory)
        centralDirectory += name
        count += 1
    }

    /// The whole archive: the entries, the central directory and its end record.
    package func finished() throws(ZipArchiveError) -> [UInt8] {
        guard bytes.count + centralDirectory.count < Int(UInt32.max) else { throw .tooLarge("the archive") }
        var archive = bytes + centralDirectory
        append32(0x0605_4B50, to: &archive)
        append16(0, to: &archive)  // this disk
        append16(0, to: &archive)  // the central directory's disk
        append16(UInt16(count), to: &archive)
        append16(UInt16(count), to: &archive)
        append32(UInt32(centralDirectory.count), to: &archive)
        append32(UInt32(bytes.count), to: &archive)
        append16(0, to: &archive)  // comment length
        return archive
    }

    /// From "version needed" to the name's length: the same in the local header and the central directory.
    private func appendCommonFields(crc: UInt32, size: UInt32, nameLength: UInt16, to buffer: inout [UInt8]) {
        append16(20, to: &buffer)  // version needed: 2.0
        append16(1 << 11, to: &buffer)  // flags: the name is UTF-8
        append16(0, to: &buffer)  // method: stored
        append16(0, to: &buffer)  // time 00:00:00
        append16(1 << 5 | 1, to: &buffer)  // date 1980-01-01, the first a zip can hold
        append32(crc, to: &buffer)
        append32(size, to: &buffer)  // compressed size
        append32(size, to: &buffer)  // uncompressed size
        append16(nameLength, to: &buffer)
    }

    private func append16(_ value: UInt16, to buffer: inout [UInt8]) {
        buffer += [UInt8(value & 0xFF), UInt8(value >> 8)]
    }

    private func append32(_ value: UInt32, to buffer: inout [UInt8]) {
        buffer += [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)]
    }
}

/// Why a set of files cannot be one stored zip.
package enum ZipArchiveError: Error, Equatable, CustomStringConvertible, Sendable {
    case badPath(String)
    case tooLarge(String)
    case tooManyEntries

    package var description: String {
        switch self {
        case .badPath(let path): "\"\(path)\" cannot be a name in a zip archive"
        case .tooLarge(let what): "\(what) is 4 GiB or more, which a zip without ZIP64 cannot hold"
        case .tooManyEntries: "more than 65,535 files, which a zip without ZIP64 cannot hold"
        }
    }
}
