import Foundation
import SextantTestSupport
import Testing

@testable import SextantRay

@Suite struct ZipArchiveTests {
    static let python = "/usr/bin/python3"
    static let hasPython = FileManager.default.isExecutableFile(atPath: python)

    static let entries = [
        ZipArchive.Entry(path: "train.py", contents: Array("print('hi')\n".utf8), mode: 0o755),
        ZipArchive.Entry(path: "data/ünïcode name.csv", contents: Array("a,b\n1,2\n".utf8)),
        ZipArchive.Entry(path: "empty.txt", contents: []),
    ]

    @Test("the same entries give the same bytes; another content or mode gives others")
    func reproducible() throws {
        let first = try ZipArchive.archive(Self.entries)
        #expect(try ZipArchive.archive(Self.entries) == first)
        var changed = Self.entries
        changed[1].contents[0] = UInt8(ascii: "A")
        #expect(try ZipArchive.archive(changed) != first)
        var executable = Self.entries
        executable[2].mode = 0o755
        #expect(try ZipArchive.archive(executable) != first)
    }

    @Test("the layout: local headers, the central directory and its end record with the counts and offsets")
    func layout() throws {
        let bytes = try ZipArchive.archive([ZipArchive.Entry(path: "a", contents: Array("x".utf8))])
        // 30 + name + data, 46 + name, 22.
        #expect(bytes.count == 32 + 47 + 22)
        #expect(Array(bytes[0..<4]) == [0x50, 0x4B, 0x03, 0x04])
        #expect(Array(bytes[32..<36]) == [0x50, 0x4B, 0x01, 0x02])
        #expect(Array(bytes[79..<83]) == [0x50, 0x4B, 0x05, 0x06])
        // CRC-32 of "x" at offset 14, little-endian.
        #expect(Array(bytes[14..<18]) == [0x83, 0x16, 0xDC, 0x8C])
        // The end record: one entry on this disk and in all, a 47-byte directory at offset 32.
        #expect(Array(bytes[87..<99]) == [1, 0, 1, 0, 47, 0, 0, 0, 32, 0, 0, 0])
        #expect(try ZipArchive.archive([]) == [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18))
    }

    @Test("an empty path cannot be an entry")
    func emptyPath() {
        #expect(throws: ZipArchiveError.badPath("")) { try ZipArchive.archive([ZipArchive.Entry(path: "", contents: [])]) }
    }

    @Test("Python's zipfile reads it back: names, contents, CRCs, Unix modes and the 1980 timestamp",
          .enabled(if: hasPython, "needs /usr/bin/python3 for its zipfile module"))
    func pythonReadsIt() async throws {
        let work = try TemporaryDirectory()
        let zip = try work.write("package.zip", Data(try ZipArchive.archive(Self.entries)))
        let script = """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as z:
                assert z.testzip() is None
                for i in z.infolist():
                    print(i.filename, oct(i.external_attr >> 16), i.date_time, i.compress_type, z.read(i).decode())
            """
        let output = try await runProcess(Self.python, ["-c", script, zip])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout == """
            train.py 0o100755 (1980, 1, 1, 0, 0, 0) 0 print('hi')

            data/ünïcode name.csv 0o100644 (1980, 1, 1, 0, 0, 0) 0 a,b
            1,2

            empty.txt 0o100644 (1980, 1, 1, 0, 0, 0) 0 \n
            """)
    }
}
