import SextantYAML
import Testing

@Suite struct YAMLEmitterTests {
    static func emitted(_ text: String) -> String {
        let mark = SourceMark.start
        let key = YAMLNode(.scalar(Scalar("name")), mark: mark)
        return YAMLEmitter.emit(YAMLNode(.mapping([YAMLNode.Pair(key: key, value: YAMLNode(.scalar(Scalar(text, style: .doubleQuoted)), mark: mark))]), mark: mark))
    }

    @Test("strings YAML 1.1 readers (PyYAML, kubectl's go-yaml) take for booleans are quoted; other words stay plain",
          arguments: [("yes", "name: \"yes\"\n"), ("on", "name: \"on\"\n"), ("N", "name: \"N\"\n"), ("Off", "name: \"Off\"\n"),
                      ("true", "name: \"true\"\n"), ("yesterday", "name: yesterday\n"), ("fraud", "name: fraud\n")])
    func yaml11Booleans(text: String, expected: String) {
        #expect(Self.emitted(text) == expected)
    }
}
