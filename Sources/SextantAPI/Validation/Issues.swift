package import SextantYAML

/// Problems found in one manifest, by field path; positioned when they become diagnostics.
package struct Issues: Sendable {
    package struct Issue: Sendable, Hashable {
        package var path: FieldPath
        package var message: String
        /// Point at the key rather than its value (unknown or misplaced fields).
        package var atKey: Bool
    }

    package private(set) var items: [Issue] = []

    package init() {}

    package mutating func add(_ path: FieldPath, _ message: String, atKey: Bool = false) {
        items.append(Issue(path: path, message: message, atKey: atKey))
    }

    package var isEmpty: Bool { items.isEmpty }
}

extension Issues {
    /// A DNS-1123 label: what Kubernetes accepts as a name, so names travel to labels,
    /// hostnames and OCI tags unchanged.
    mutating func checkName(_ name: String, at path: FieldPath) {
        if name.isEmpty {
            add(path, "name is empty")
        } else if name.utf8.count > 63 {
            add(path, "name \"\(name)\" is longer than 63 characters")
        } else if !Self.isDNSLabel(name) {
            add(path, "name \"\(name)\" must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit")
        }
    }

    static func isDNSLabel(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, let last = bytes.last else { return false }
        func alnum(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
        return alnum(first) && alnum(last) && bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
    }

    /// A path inside a manifest must stay inside the watched root: relative, without `..`.
    mutating func checkConfined(_ path: String, at field: FieldPath) {
        if path.isEmpty {
            add(field, "path is empty")
        } else if path.hasPrefix("/") {
            add(field, "\"\(path)\" is absolute; give a path relative to the watched root")
        } else if path.split(separator: "/").contains("..") {
            add(field, "\"\(path)\" leaves the watched root through \"..\"; paths must stay inside it")
        }
    }

    mutating func checkPositive(_ duration: ManifestDuration?, at path: FieldPath) {
        if let duration, duration.milliseconds <= 0 {
            add(path, "duration must be longer than 0")
        }
    }

    mutating func checkPercent(_ value: Int?, at path: FieldPath, allowZero: Bool = true) {
        guard let value else { return }
        if value < (allowZero ? 0 : 1) || value > 100 {
            add(path, "\(value) is out of range; must be \(allowZero ? 0 : 1)–100")
        }
    }
}
