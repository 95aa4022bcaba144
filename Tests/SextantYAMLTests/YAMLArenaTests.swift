import Testing
@testable import SextantYAML

@Suite struct YAMLArenaTests {
    static let text = """
        a: &x {b: 1, "é": ~}
        c: *x
        list: [one, 'two', !!str 3]
        ---
        # only a comment

        """

    @Test("lookups compare key bytes; aliases are copies with their own mark; empty documents are empty")
    func lookups() throws {
        let arena = try YAMLParser().arena(Array(Self.text.utf8), file: "m.yaml")
        #expect(arena.roots.count == 2)
        let root = arena.roots[0]
        #expect(arena.kind(root) == .mapping && arena.count(root) == 3)
        let a = try #require(arena.value(root, forKey: "a"))
        let c = try #require(arena.value(root, forKey: "c"))
        #expect(arena.mark(a).line == 1 && arena.mark(c).line == 2)
        // The alias's entries are the anchored node's, where they were written.
        #expect(arena.value(c, forKey: "b").map(arena.mark) == arena.value(a, forKey: "b").map(arena.mark))
        #expect(arena.value(c, forKey: "b").flatMap(arena.string) == "1")
        let accented = try #require(arena.value(a, forKey: "é"))
        #expect(arena.isNull(accented))
        #expect(arena.value(root, forKey: "ab") == nil && arena.value(root, forKey: "") == nil)
        let list = try #require(arena.value(root, forKey: "list"))
        #expect((0..<arena.count(list)).map { arena.kindDescription(arena.item(list, $0)) }
            == ["the string \"one\"", "the string \"two\"", "the string \"3\""])
        #expect(!arena.isEmptyDocument(root) && arena.isEmptyDocument(arena.roots[1]))
    }

    @Test("a tree made from an arena and an arena made from a tree hold the same nodes, marks and tags")
    func roundTrip() throws {
        let documents = try YAMLParser().parse(Self.text, file: "m.yaml")
        let again = YAMLArena(file: "m.yaml", root: documents[0].root)
        #expect(YAMLEmitter.emit(again.node(again.roots[0])) == YAMLEmitter.emit(documents[0].root))
        #expect(again.node(again.roots[0]).mark(at: [.key("c"), .key("b")]) == documents[0].root.mark(at: [.key("c"), .key("b")]))
        let list = try #require(again.value(again.roots[0], forKey: "list"))
        #expect(again.tag(again.item(list, 2)) == "tag:yaml.org,2002:str" && again.tag(again.item(list, 0)) == nil)
    }
}
