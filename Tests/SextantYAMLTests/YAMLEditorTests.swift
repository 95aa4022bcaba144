import Foundation
import Testing
@testable import SextantYAML

@Suite struct YAMLEditorTests {
    struct ScalarCase: CustomTestStringConvertible, Sendable {
        var before: String
        var path: FieldPath
        var value: Scalar.Resolved
        var after: String
        var testDescription: String { "\(before.debugDescription) \(path) → \(after.debugDescription)" }
    }

    static let scalarCases: [ScalarCase] = [
        .init(before: "a: x\n", path: ["a"], value: .string("y"), after: "a: y\n"),
        .init(before: "a: x\n", path: ["a"], value: .string("0123"), after: "a: \"0123\"\n"),
        .init(before: "a: x\n", path: ["a"], value: .string("true"), after: "a: \"true\"\n"),
        .init(before: "a: x\n", path: ["a"], value: .string("b: c"), after: "a: \"b: c\"\n"),
        .init(before: "a: x\n", path: ["a"], value: .string("x #y"), after: "a: \"x #y\"\n"),
        .init(before: "a: 'x'\n", path: ["a"], value: .string("it's"), after: "a: 'it''s'\n"),
        .init(before: "a: 'x'\n", path: ["a"], value: .string("two\nlines"), after: "a: \"two\\nlines\"\n"),
        .init(before: "a: \"x\"\n", path: ["a"], value: .string("say \"hi\"\\"), after: "a: \"say \\\"hi\\\"\\\\\"\n"),
        .init(before: "a: \"x\"\n", path: ["a"], value: .string("plain"), after: "a: \"plain\"\n"),
        .init(before: "a: [x, y]\n", path: ["a", 1], value: .string("p,q"), after: "a: [x, \"p,q\"]\n"),
        .init(before: "a: {b: 1, c: 2}\n", path: ["a", "c"], value: .float(0.5), after: "a: {b: 1, c: 0.5}\n"),
        .init(before: "a: 1   # keep me\nb: 2\n", path: ["a"], value: .int(42), after: "a: 42   # keep me\nb: 2\n"),
        .init(before: "a: \"1\"\n", path: ["a"], value: .int(2), after: "a: 2\n"),
        .init(before: "a: 1.0\n", path: ["a"], value: .float(1e-5), after: "a: 1e-05\n"),
        .init(before: "a: x\n", path: ["a"], value: .bool(false), after: "a: false\n"),
        .init(before: "a:\nb: 2\n", path: ["a"], value: .string("set"), after: "a: set\nb: 2\n"),
        .init(before: "list:\n  - one\n  - two # 2\n", path: ["list", 1], value: .string("deux"), after: "list:\n  - one\n  - deux # 2\n"),
        .init(before: "# café ☕\nname: crème\nb: x\n", path: ["b"], value: .string("ü"), after: "# café ☕\nname: crème\nb: ü\n"),
        .init(before: "\u{FEFF}a: é\nb: x\n", path: ["b"], value: .string("y"), after: "\u{FEFF}a: é\nb: y\n"),
        .init(before: "a: 1\r\nb: 2\r\n", path: ["b"], value: .int(3), after: "a: 1\r\nb: 3\r\n"),
    ]

    @Test("a scalar keeps its style where the value allows it, and every other byte", arguments: scalarCases)
    func setScalar(_ testCase: ScalarCase) throws {
        let editor = try YAMLEditor(Array(testCase.before.utf8), file: "m.yaml")
        let edited = try editor.applying([.setScalar(testCase.path, testCase.value)])
        #expect(String(decoding: edited, as: UTF8.self) == testCase.after)
        let node = try #require(try YAMLParser().parse(edited, file: "m.yaml").first?.root)
        #expect(Self.node(node, at: testCase.path)?.scalar?.resolved == testCase.value)
    }

    @Test("a block restored from another version moves to the node's column, keeping its inner indentation and comments")
    func restoreReindents() throws {
        let current = """
            spec:
              training:   # what trains it
                trainer: logistic-regression
                seed: 7
              serving: {replicas: 1}

            """
        let previous = """
            # an older layout, indented by four
            spec:
                training:
                    trainer: gradient-boosting
                    # a comment that travels with the block
                    hyperparameters:
                        depth: 3
                    seed: 42
                serving: {replicas: 2}

            """
        let editor = try YAMLEditor(Array(current.utf8), file: "m.yaml")
        let edited = try editor.applying([.restoreNode(["spec", "training"], from: Array(previous.utf8))])
        #expect(String(decoding: edited, as: UTF8.self) == """
            spec:
              training:   # what trains it
                trainer: gradient-boosting
                # a comment that travels with the block
                hyperparameters:
                    depth: 3
                seed: 42
              serving: {replicas: 1}

            """)
    }

    @Test("a flow value restored as a block moves under its key; a block restored as a flow value stays in place")
    func restoreChangesForm() throws {
        let flow = "spec:\n  training: {trainer: x}   # short\n  seed: 1\n"
        let block = "spec:\n  training:\n    trainer: y\n    seed: 2\n  seed: 1\n"
        let toBlock = try YAMLEditor(Array(flow.utf8), file: "m.yaml").applying([.restoreNode(["spec", "training"], from: Array(block.utf8))])
        #expect(String(decoding: toBlock, as: UTF8.self) == "spec:\n  training:\n    trainer: y\n    seed: 2   # short\n  seed: 1\n")
        let toFlow = try YAMLEditor(Array(block.utf8), file: "m.yaml").applying([.restoreNode(["spec", "training"], from: Array(flow.utf8))])
        let tree = try #require(try YAMLParser().parse(toFlow, file: "m.yaml").first?.root)
        #expect(tree["spec"]?["training"]?["trainer"]?.text == "x")
        #expect(tree["spec"]?["seed"]?.text == "1")
    }

    struct ErrorCase: CustomTestStringConvertible, Sendable {
        var text: String
        var edit: YAMLEdit
        var problem: YAMLEditError.Problem
        var message: String
        var testDescription: String { message }
    }

    static let errorCases: [ErrorCase] = [
        .init(text: "spec:\n  a: 1\n", edit: .setScalar(["spec", "b"], .int(1)), problem: .missingPath,
              message: "m.yaml:2:3: spec.b: no such field in the file"),
        .init(text: "base: &b {x: 1}\nuse: *b\n", edit: .setScalar(["base", "x"], .int(2)), problem: .sharedNode,
              message: "m.yaml:1:7: base.x: base is an anchor or an alias, which other nodes share; write the values out and remove the anchor"),
        .init(text: "base: &b {x: 1}\nuse: *b\n", edit: .restoreNode(["use"], from: Array("use: 1\n".utf8)), problem: .sharedNode,
              message: "m.yaml:2:6: use: use is an anchor or an alias, which other nodes share; write the values out and remove the anchor"),
        .init(text: "a: 1\n---\na: 2\n", edit: .setScalar(["a"], .int(3)), problem: .unsupportedFile,
              message: "m.yaml:3:1: the file holds 2 documents; Sextant edits files with one manifest only"),
        .init(text: "a: |\n  text\n", edit: .setScalar(["a"], .string("x")), problem: .unsupportedNode,
              message: "m.yaml:1:4: a: is a block scalar (| or >); Sextant edits one-line values only"),
        .init(text: "a: {b: 1}\n", edit: .setScalar(["a"], .int(1)), problem: .unsupportedNode,
              message: "m.yaml:1:4: a: holds a list or mapping, not a single value"),
        .init(text: "a: 1\n", edit: .restoreNode(["a"], from: Array("b: 1\n".utf8)), problem: .missingPath,
              message: "m.yaml (the version restored from):1:1: a: no such field in the file"),
    ]

    @Test("edits that cannot keep the file's meaning are one-line errors naming the file, line and path", arguments: errorCases)
    func errors(_ testCase: ErrorCase) throws {
        let error = #expect(throws: YAMLEditError.self) {
            try YAMLEditor(Array(testCase.text.utf8), file: "m.yaml").applying([testCase.edit])
        }
        #expect(error?.problem == testCase.problem)
        #expect(error?.description == testCase.message)
    }

    @Test("two edits of one node are refused")
    func overlapping() throws {
        let editor = try YAMLEditor(Array("a: {b: 1}\n".utf8), file: "m.yaml")
        let error = #expect(throws: YAMLEditError.self) {
            try editor.applying([.setScalar(["a", "b"], .int(2)), .restoreNode(["a"], from: Array("a: {b: 3}\n".utf8))])
        }
        #expect(error?.problem == .overlappingEdits)
    }

    // MARK: - Every example manifest

    static let examples: [String] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path + "/examples"
        let walker = FileManager.default.enumerator(atPath: root)
        var files: [String] = []
        while let relative = walker?.nextObject() as? String {
            if relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") { files.append(root + "/" + relative) }
        }
        return files.sorted()
    }()

    @Test("the examples exist")
    func examplesFound() {
        #expect(Self.examples.count >= 10)
    }

    @Test("edits of an example change only the edited values and their lines", arguments: examples)
    func examplePreservesTheRest(_ path: String) throws {
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        let file = URL(fileURLWithPath: path).lastPathComponent
        let root = try #require(try YAMLParser().parse(bytes, file: file).first?.root)
        var changes: [FieldPath: Scalar.Resolved] = [:]
        Self.collectEditable(root, path: .root, parentKey: nil, into: &changes)
        try #require(!changes.isEmpty, "nothing to edit in \(file)")

        let editor = try YAMLEditor(bytes, file: file)
        let edited = try editor.applying(changes.map { .setScalar($0.key, $0.value) })
        let after = try #require(try YAMLParser().parse(edited, file: file).first?.root)
        try Self.expectSameTree(root, after, path: .root, changes: changes)

        // Only the lines of the edited values differ.
        let oldLines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let newLines = String(decoding: edited, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(oldLines.count == newLines.count)
        let changed = Set(zip(oldLines, newLines).enumerated().filter { $0.element.0 != $0.element.1 }.map { $0.offset + 1 })
        #expect(changed == Set(changes.keys.map { root.mark(at: $0).line }))

        // Restoring spec.training from the edited version gives that version's block back.
        if root["spec"]?["training"] != nil {
            let trainingOnly = changes.filter { $0.key.components.starts(with: ["spec", "training"]) }
            let previous = try editor.applying(trainingOnly.map { .setScalar($0.key, $0.value) })
            let restored = try editor.applying([.restoreNode(["spec", "training"], from: previous)])
            #expect(restored == previous)
        }
    }

    /// Every `sha256`, `uri`, `path`, `seed`, `name` and hyperparameter scalar, with a new
    /// value of the same type.
    private static func collectEditable(_ node: YAMLNode, path: FieldPath, parentKey: String?, into changes: inout [FieldPath: Scalar.Resolved]) {
        switch node.content {
        case .mapping(let pairs):
            for pair in pairs { collectEditable(pair.value, path: path.appending(pair.name), parentKey: pair.name, into: &changes) }
        case .sequence(let items):
            for (index, item) in items.enumerated() { collectEditable(item, path: path.appending(index: index), parentKey: parentKey, into: &changes) }
        case .scalar(let scalar):
            let underHyperparameters = path.components.contains(.key("hyperparameters"))
            guard underHyperparameters || ["sha256", "uri", "path", "seed", "name"].contains(parentKey ?? "") else { return }
            switch scalar.resolved {
            case .string(let text): changes[path] = .string(text + "-v2, \"quoted\"")
            case .int(let number): changes[path] = .int(number + 1)
            case .float(let number): changes[path] = .float(number * 2)
            case .bool(let flag): changes[path] = .bool(!flag)
            case .null: break
            }
        }
    }

    private static func expectSameTree(_ old: YAMLNode, _ new: YAMLNode, path: FieldPath, changes: [FieldPath: Scalar.Resolved]) throws {
        switch (old.content, new.content) {
        case (.mapping(let oldPairs), .mapping(let newPairs)):
            #expect(oldPairs.map(\.name) == newPairs.map(\.name), "\(path)")
            for (a, b) in zip(oldPairs, newPairs) { try expectSameTree(a.value, b.value, path: path.appending(a.name), changes: changes) }
        case (.sequence(let oldItems), .sequence(let newItems)):
            #expect(oldItems.count == newItems.count, "\(path)")
            for (index, (a, b)) in zip(oldItems, newItems).enumerated() { try expectSameTree(a, b, path: path.appending(index: index), changes: changes) }
        case (.scalar(let a), .scalar(let b)):
            let expected = changes[path] ?? a.resolved
            #expect(b.resolved == expected, "\(path)")
        default:
            Issue.record("\(path) changed kind")
        }
    }

    private static func node(_ root: YAMLNode, at path: FieldPath) -> YAMLNode? {
        var node: YAMLNode? = root
        for component in path.components {
            switch component {
            case .key(let key): node = node?[key]
            case .index(let index): node = node?.items.flatMap { $0.indices.contains(index) ? $0[index] : nil }
            }
        }
        return node
    }
}
