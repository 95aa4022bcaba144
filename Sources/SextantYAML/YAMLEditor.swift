/// Edits a one-document YAML file in place: the bytes of the edited nodes change, every
/// other byte (comments, key order, quoting, blank lines, trailing comments) stays as it was.
package struct YAMLEditor: Sendable {
    /// The name used in errors.
    package let file: String
    /// The file's content.
    package let bytes: [UInt8]
    private let root: YAMLNode
    private let map: YAMLSourceMap

    /// Reads a file to edit.
    ///
    /// - Throws: `YAMLEditError` when the file is not valid YAML, holds several documents
    ///   or is not UTF-8.
    package init(_ bytes: [UInt8], file: String, limits: YAMLLimits = .default) throws(YAMLEditError) {
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) {
            throw YAMLEditError(.unsupportedFile, file: file, mark: .start, path: nil, message: "the file is UTF-16; Sextant edits UTF-8 files only")
        }
        let documents: [YAMLDocument]
        do throws(YAMLError) {
            documents = try YAMLParser(limits: limits).parse(bytes, file: file)
        } catch {
            throw YAMLEditError(.invalidYAML, file: file, mark: error.mark, path: nil, message: error.message)
        }
        guard documents.count == 1, let document = documents.first else {
            let mark = documents.count > 1 ? documents[1].root.mark : .start
            throw YAMLEditError(.unsupportedFile, file: file, mark: mark, path: nil,
                                message: "the file holds \(documents.count) documents; Sextant edits files with one manifest only")
        }
        self.file = file
        self.bytes = bytes
        self.root = document.root
        self.map = YAMLSourceMap(bytes)
    }

    /// The file with the edits made, each against this version of the file.
    ///
    /// - Throws: `YAMLEditError` for a missing path, a node shared through an anchor or
    ///   alias, a node an in-place edit cannot keep the layout of, or two edits of one node.
    package func applying(_ edits: [YAMLEdit]) throws(YAMLEditError) -> [UInt8] {
        var replacements: [(path: FieldPath, bytes: Range<Int>, text: [UInt8])] = []
        for edit in edits {
            let span = try span(at: edit.path)
            switch edit {
            case .setScalar(let path, let value):
                replacements.append((path, span.bytes, try scalarText(value, replacing: span, at: path)))
            case .restoreNode(let path, let other):
                let (range, text) = try restoredText(path, from: other, replacing: span)
                replacements.append((path, range, text))
            }
        }
        replacements.sort { $0.bytes.lowerBound < $1.bytes.lowerBound }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var position = 0
        for replacement in replacements {
            guard replacement.bytes.lowerBound >= position else {
                throw error(.overlappingEdits, at: replacement.path, "edited twice, or inside another edited node; make one edit per node")
            }
            output += bytes[position..<replacement.bytes.lowerBound]
            output += replacement.text
            position = replacement.bytes.upperBound
        }
        output += bytes[position...]
        // A safety net: an edit never hands back a file that does not parse.
        do throws(YAMLError) {
            _ = try YAMLParser().parse(output, file: file)
        } catch {
            let path = replacements.first?.path ?? .root
            throw self.error(.unsupportedNode, at: path, "the edit would not read back as YAML (\(error.message)); edit this file by hand")
        }
        return output
    }

    /// The span of a node that may be edited alone.
    private func span(at path: FieldPath) throws(YAMLEditError) -> YAMLSourceMap.Span {
        guard let span = map.spans[path] else {
            throw YAMLEditError(.missingPath, file: file, mark: root.mark(at: path), path: path, message: "no such field in the file")
        }
        for (other, candidate) in map.spans where candidate.isShared {
            let isAround = path.components.starts(with: other.components)
            let isInside = other.components.starts(with: path.components)
            guard isAround || isInside else { continue }
            throw YAMLEditError(.sharedNode, file: file, mark: candidate.mark, path: path,
                                message: "\(other) is an anchor or an alias, which other nodes share; write the values out and remove the anchor")
        }
        return span
    }

    private func scalarText(_ value: Scalar.Resolved, replacing span: YAMLSourceMap.Span, at path: FieldPath) throws(YAMLEditError) -> [UInt8] {
        guard case .scalar(let style, let tagged) = span.form else {
            throw error(.unsupportedNode, at: path, "holds a list or mapping, not a single value")
        }
        guard !tagged else { throw error(.unsupportedNode, at: path, "has an explicit tag (!!…); remove it or edit the file by hand") }
        var text: String
        switch value {
        case .string(let string):
            switch style {
            case .plain: text = Scalar.readsBackPlain(string, inFlow: span.inFlow) ? string : Scalar.doubleQuoted(string)
            case .singleQuoted: text = Scalar.singleQuoted(string) ?? Scalar.doubleQuoted(string)
            case .doubleQuoted: text = Scalar.doubleQuoted(string)
            case .literal, .folded:
                throw error(.unsupportedNode, at: path, "is a block scalar (| or >); Sextant edits one-line values only")
            }
        default:
            text = Scalar.plainText(of: value) ?? ""
        }
        // An empty value (`key:`) is the point right after the colon.
        if span.bytes.isEmpty, span.bytes.lowerBound > 0, [UInt8(ascii: ":"), UInt8(ascii: "-")].contains(bytes[span.bytes.lowerBound - 1]) {
            text = " " + text
        }
        return Array(text.utf8)
    }

    /// The bytes to replace and the text of the node in the other version, re-indented.
    private func restoredText(_ path: FieldPath, from other: [UInt8], replacing target: YAMLSourceMap.Span) throws(YAMLEditError) -> (Range<Int>, [UInt8]) {
        let source = try YAMLEditor(other, file: file + " (the version restored from)")
        let sourceSpan = try source.span(at: path)
        let lines = source.bytes[sourceSpan.bytes].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
        let targetIsBlock = target.form == .blockCollection
        let sourceIsBlock = sourceSpan.form == .blockCollection
        var range = target.bytes
        var prefix: [UInt8] = []
        var shift = target.mark.column - sourceSpan.mark.column
        if sourceIsBlock && !targetIsBlock, let keyColumn = target.keyColumn {
            // `key: {}` becomes `key:` and the entries on the lines below, indented under
            // the key as they were in the other version.
            while range.lowerBound > 0, bytes[range.lowerBound - 1] == UInt8(ascii: " ") { range = (range.lowerBound - 1)..<range.upperBound }
            let column = keyColumn + sourceSpan.mark.column - (sourceSpan.keyColumn ?? (sourceSpan.mark.column - 2))
            prefix = Array("\n".utf8) + Array(repeating: UInt8(ascii: " "), count: column - 1)
            shift = column - sourceSpan.mark.column
        } else if !sourceIsBlock, let targetKey = target.keyColumn, let sourceKey = sourceSpan.keyColumn {
            // A flow collection or block scalar over several lines is indented from its key.
            shift = targetKey - sourceKey
        }
        var text = prefix + lines[0]
        for line in lines.dropFirst() {
            text.append(UInt8(ascii: "\n"))
            text += Self.shifted(line, by: shift)
        }
        return (range, text)
    }

    /// A line moved right (or left, over its leading spaces only) by `shift` columns.
    private static func shifted(_ line: [UInt8], by shift: Int) -> [UInt8] {
        if line.isEmpty || shift == 0 { return line }
        if shift > 0 { return Array(repeating: UInt8(ascii: " "), count: shift) + line }
        let spaces = line.prefix { $0 == UInt8(ascii: " ") }.count
        return Array(line.dropFirst(min(spaces, -shift)))
    }

    private func error(_ problem: YAMLEditError.Problem, at path: FieldPath, _ message: String) -> YAMLEditError {
        YAMLEditError(problem, file: file, mark: map.spans[path]?.mark ?? root.mark(at: path), path: path, message: message)
    }
}
