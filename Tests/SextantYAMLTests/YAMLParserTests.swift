import Testing
@testable import SextantYAML

@Suite struct YAMLParserTests {
    let parser = YAMLParser()

    @Test("every node keeps its line and column")
    func marks() throws {
        let documents = try parser.parse("""
            apiVersion: v1
            spec:
              items:
                - name: a
                  value: 1
            """, file: "m.yaml")
        let root = try #require(documents.first?.root)
        #expect(root.mark == SourceMark(line: 1, column: 1))
        #expect(root["apiVersion"]?.mark == SourceMark(line: 1, column: 13))
        let item = try #require(root["spec"]?["items"]?.items?.first)
        #expect(item.mark == SourceMark(line: 4, column: 7))
        #expect(item["value"]?.mark == SourceMark(line: 5, column: 14))
        #expect(root.pair(forKey: "spec")?.key.mark == SourceMark(line: 2, column: 1))
    }

    @Test("several documents per file, each with its real line numbers")
    func multipleDocuments() throws {
        let documents = try parser.parse("a: 1\n---\nb: 2\n---\n# only a comment\n", file: "m.yaml")
        #expect(documents.count == 3)
        #expect(documents[1].root["b"]?.mark.line == 3)
        #expect(documents[2].isEmpty)
        #expect(documents.map(\.index) == [0, 1, 2])
    }

    @Test("anchors and aliases resolve to copies of the anchored node")
    func aliases() throws {
        let documents = try parser.parse("""
            base: &defaults {interval: 5s, minSamples: 20}
            first: *defaults
            list: [&x one, *x]
            """, file: "m.yaml")
        let root = try #require(documents.first?.root)
        #expect(root["first"]?["minSamples"]?.text == "20")
        #expect(root["first"]?.mark == SourceMark(line: 2, column: 8))
        #expect(root["list"]?.items?.map(\.text) == ["one", "one"])
    }

    @Test("an alias to an undefined anchor is an error")
    func undefinedAlias() {
        #expect(throws: YAMLError.self) { try parser.parse("a: *nothing\n", file: "m.yaml") }
    }

    @Test("duplicate keys are errors at the second key, naming the first")
    func duplicateKeys() {
        let error = #expect(throws: YAMLError.self) {
            try parser.parse("spec:\n  task: regression\n  task: regression\n", file: "m.yaml")
        }
        #expect(error?.mark == SourceMark(line: 3, column: 3))
        #expect(error?.message.contains("duplicate key \"task\" (first at line 2)") == true)
    }

    @Test("duplicate keys in a large mapping are found too")
    func duplicateKeysLargeMapping() {
        var text = (0..<100).map { "k\($0): \($0)\n" }.joined()
        text += "k7: again\n"
        let error = #expect(throws: YAMLError.self) { try parser.parse(text, file: "m.yaml") }
        #expect(error?.mark.line == 101)
        #expect(error?.message.contains("first at line 8") == true)
    }

    @Test("mapping keys must be scalars")
    func complexKeys() {
        let error = #expect(throws: YAMLError.self) { try parser.parse("? [a, b]\n: c\n", file: "m.yaml") }
        #expect(error?.message.contains("mapping keys must be scalars") == true)
    }

    @Test("a billion-laughs document is refused by the node limit")
    func aliasBomb() {
        var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        let letters = Array("bcdefghi")
        var previous = "a"
        for letter in letters {
            text += "\(letter): &\(letter) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
            previous = String(letter)
        }
        let error = #expect(throws: YAMLError.self) { try parser.parse(text, file: "bomb.yaml") }
        #expect(error?.message.contains("alias bomb") == true)
    }

    @Test("nesting beyond the depth limit is refused")
    func depth() {
        let text = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        let error = #expect(throws: YAMLError.self) { try parser.parse(text, file: "deep.yaml") }
        #expect(error?.message.contains("deeper than 64") == true)
        #expect(error?.mark == SourceMark(line: 1, column: 65))
    }

    @Test("files and scalars beyond their limits are refused before parsing")
    func sizeLimits() {
        let small = YAMLParser(limits: YAMLLimits(maxFileBytes: 100, maxScalarBytes: 10))
        let file = #expect(throws: YAMLError.self) { try small.parse(String(repeating: "#", count: 101), file: "big.yaml") }
        #expect(file?.message.contains("more than the limit of 100 bytes") == true)
        let scalar = #expect(throws: YAMLError.self) { try small.parse("a: \(String(repeating: "x", count: 11))\n", file: "s.yaml") }
        #expect(scalar?.message.contains("longer than the limit of 10 bytes") == true)
        let documents = YAMLParser(limits: YAMLLimits(maxDocuments: 2))
        #expect(throws: YAMLError.self) { try documents.parse("a: 1\n---\nb: 1\n---\nc: 1\n", file: "d.yaml") }
    }

    @Test("invalid UTF-8 is reported with its position")
    func invalidUTF8() {
        var bytes = Array("name: caf".utf8)
        bytes.append(0xE9)
        bytes += Array("\nother: 1\n".utf8)
        let error = #expect(throws: YAMLError.self) { try parser.parse(bytes, file: "latin1.yaml") }
        #expect(error?.message.contains("not valid UTF-8") == true)
        #expect(error?.mark == SourceMark(line: 1, column: 10))
    }

    @Test("a UTF-8 byte-order mark is accepted and does not shift columns")
    func byteOrderMark() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a: 1\nb: 2\n".utf8)
        let root = try #require(try parser.parse(bytes, file: "bom.yaml").first?.root)
        #expect(root["b"]?.mark == SourceMark(line: 2, column: 4))
        #expect(root.pair(forKey: "a")?.key.mark == SourceMark(line: 1, column: 1))
    }

    @Test("a tab used for indentation gets a message that says so")
    func tabs() {
        let error = #expect(throws: YAMLError.self) { try parser.parse("spec:\n\ttask: regression\n", file: "tab.yaml") }
        #expect(error?.message.contains("tab character") == true)
        #expect(error?.mark.line == 2)
    }

    @Test("syntax errors name the line and what libyaml expected")
    func syntaxError() {
        let error = #expect(throws: YAMLError.self) { try parser.parse("a: [1, 2\nb: 3\n", file: "s.yaml") }
        #expect(error?.message.hasPrefix("invalid YAML:") == true)
        #expect(error?.description.hasPrefix("s.yaml:") == true)
    }

    @Test("an empty file has no documents")
    func emptyFile() throws {
        #expect(try parser.parse([UInt8](), file: "e.yaml").isEmpty)
    }
}
