extension Tar {
    /// The regular files of a ustar archive (what `archive` writes), path → bytes; nil when
    /// the bytes are not such an archive.
    static func files(in archive: [UInt8]) -> [String: [UInt8]]? {
        var files: [String: [UInt8]] = [:]
        var offset = 0
        while offset + 512 <= archive.count {
            let header = archive[offset..<offset + 512]
            if header.allSatisfy({ $0 == 0 }) { return files }  // the end-of-archive blocks
            let name = header.prefix(100).prefix { $0 != 0 }
            let sizeField = archive[offset + 124..<offset + 136].prefix { $0 != 0 && $0 != UInt8(ascii: " ") }
            guard let size = Int(String(decoding: sizeField, as: UTF8.self), radix: 8), size >= 0,
                  offset + 512 + size <= archive.count else { return nil }
            if archive[offset + 156] == UInt8(ascii: "0") || archive[offset + 156] == 0 {
                files[String(decoding: name, as: UTF8.self)] = Array(archive[offset + 512..<offset + 512 + size])
            }
            offset += 512 + (size + 511) / 512 * 512
        }
        return nil
    }
}
