import Testing
@testable import SextantML

@Suite struct CSVTableTests {
    func table(_ text: String) throws -> CSVTable {
        try CSVTable(Array(text.utf8))
    }

    @Test("RFC 4180: quoted commas, doubled quotes, line breaks inside quotes, CRLF")
    func quoting() throws {
        let csv = try table("id,note\r\n1,\"a, b\"\r\n2,\"say \"\"hi\"\"\"\r\n3,\"two\nlines\"\r\n4,plain\r\n")
        #expect(csv.header == ["id", "note"])
        #expect(csv.rowCount == 4)
        #expect(csv.text(row: 0, column: 1) == "a, b")
        #expect(csv.text(row: 1, column: 1) == "say \"hi\"")
        #expect(csv.text(row: 2, column: 1) == "two\nlines")
        #expect(csv.line(ofRow: 3) == 6)
    }

    @Test("an empty field is null, quoted or not (as datacontract test reads it); spaces are text")
    func nulls() throws {
        let csv = try table("a,b,c\n,\"\", \n")
        #expect(csv.text(row: 0, column: 0) == nil)
        #expect(csv.text(row: 0, column: 1) == nil)
        #expect(csv.text(row: 0, column: 2) == " ")
    }

    @Test("no final line break, a trailing blank line and a byte order mark are all fine")
    func edges() throws {
        #expect(try table("a,b\n1,2").rowCount == 1)
        #expect(try table("a,b\n1,2\n\n").rowCount == 1)
        #expect(try table("\u{FEFF}a,b\n1,2\n").header == ["a", "b"])
    }

    @Test("malformed rows name their line", arguments: [
        ("a,b\n1,2\n3\n", "line 3: expected 2 fields as in the header, found 1"),
        ("a,b\n1,2,3\n", "line 2: expected 2 fields as in the header, found 3"),
        ("a,b\n1,\"open\n2,3\n", "line 2: a quoted field opened on this line is never closed; close it with \""),
        ("a,b\n1,ab\"c\n", "line 2: a quote inside an unquoted field; quote the whole field and double the quotes inside it (\"\")"),
        ("a,b\n1,\"x\"y\n", "line 2: text after a closing quote; quote the whole field and double the quotes inside it (\"\")"),
        ("a,a\n1,2\n", "line 1: column \"a\" appears twice in the header (columns 1 and 2)"),
        ("", "line 1: file is empty; the first line must name the columns"),
    ])
    func malformed(text: String, message: String) {
        #expect(throws: CSVError.self) { try table(text) }
        do { _ = try table(text) } catch let error as CSVError { #expect(error.description == message) } catch {}
    }
}

@Suite struct ValueParsingTests {
    func parse(_ type: ColumnType, _ text: String) -> Value? { type.parse(text) }

    @Test("numbers: decimal forms, exponents; not nan, inf, hex or blanks")
    func numbers() {
        #expect(parse(.number, "159.62") == .number(159.62))
        #expect(parse(.number, "-0.5") == .number(-0.5))
        #expect(parse(.number, "+3") == .number(3))
        #expect(parse(.number, "1e3") == .number(1000))
        #expect(parse(.number, "0.1") == .number(0.1))
        #expect(parse(.number, "12345678901234567890.5") == .number(12345678901234567890.5))
        for bad in ["nan", "inf", "0x10", " 1", "1 ", "", ".", "-", "1.2.3", "abc"] {
            #expect(parse(.number, bad) == nil, "\(bad)")
        }
    }

    @Test("integers are whole numbers, so 7 and 7.0 are the same value")
    func integers() {
        #expect(parse(.integer, "7") == .number(7))
        #expect(parse(.integer, "7.0") == parse(.integer, "7"))
        #expect(parse(.integer, "7.5") == nil)
    }

    @Test("booleans, dates and timestamps")
    func others() {
        #expect(parse(.boolean, "TRUE") == .boolean(true))
        #expect(parse(.boolean, "0") == .boolean(false))
        #expect(parse(.boolean, "yes") == nil)
        #expect(parse(.date, "1970-01-02") == .date(1))
        #expect(parse(.date, "2024-02-29") != nil)
        #expect(parse(.date, "2023-02-29") == nil)
        #expect(parse(.timestamp, "1970-01-01T00:01:00Z") == .timestamp(60))
        #expect(parse(.timestamp, "1970-01-01T01:00:00+01:00") == .timestamp(0))
        #expect(parse(.timestamp, "1970-01-01 00:00:01.5") == .timestamp(1.5))
        #expect(parse(.timestamp, "1970-01-01") == nil)
    }
}
