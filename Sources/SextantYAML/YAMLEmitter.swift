/// Writes a node tree as block-style YAML: mappings keep their order, strings are quoted
/// whenever a plain scalar would read back as something else.
package enum YAMLEmitter {
    package static func emit(_ node: YAMLNode) -> String {
        var output = ""
        write(node, indent: 0, into: &output, inline: false)
        return output
    }

    private static func write(_ node: YAMLNode, indent: Int, into output: inout String, inline: Bool) {
        let padding = String(repeating: " ", count: indent)
        switch node.content {
        case .scalar(let scalar):
            output += (inline ? " " : padding) + render(scalar) + "\n"
        case .sequence(let items):
            if items.isEmpty { output += (inline ? " " : padding) + "[]\n"; return }
            if inline { output += "\n" }
            for item in items {
                output += padding + "-"
                if case .mapping(let pairs) = item.content, !pairs.isEmpty {
                    // The first pair on the dash's line, the rest aligned under it.
                    var nested = ""
                    write(item, indent: indent + 2, into: &nested, inline: false)
                    output += " " + nested.dropFirst(indent + 2)
                } else {
                    write(item, indent: indent + 2, into: &output, inline: true)
                }
            }
        case .mapping(let pairs):
            if pairs.isEmpty { output += (inline ? " " : padding) + "{}\n"; return }
            if inline { output += "\n" }
            for pair in pairs {
                output += padding + render(Scalar(pair.name)) + ":"
                switch pair.value.content {
                case .scalar:
                    write(pair.value, indent: indent, into: &output, inline: true)
                case .sequence(let items):
                    // Sequences under a key sit at the key's indentation, as kubectl prints them.
                    if items.isEmpty { output += " []\n" } else {
                        output += "\n"
                        write(pair.value, indent: indent, into: &output, inline: false)
                    }
                case .mapping:
                    write(pair.value, indent: indent + 2, into: &output, inline: true)
                }
            }
        }
    }

    private static func render(_ scalar: Scalar) -> String {
        guard case .string(let text) = scalar.resolved else { return scalar.value }
        return Scalar.readsBackPlain(text) && !yaml11Booleans.contains(text) ? text : Scalar.doubleQuoted(text)
    }

    /// Strings YAML 1.1 readers (PyYAML, the go-yaml behind `kubectl`) take for booleans:
    /// quoted, so what we write reads back as a string there too.
    private static let yaml11Booleans: Set<String> = [
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
    ]
}
