extension ServingSpec {
    /// `MODULE:ATTRIBUTE`: dotted ASCII Python identifiers, a colon, one identifier (Ray
    /// Serve's `import_path`, in the form that names its module unambiguously).
    static func isImportPath(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        return parts[0].split(separator: ".", omittingEmptySubsequences: false).allSatisfy(isIdentifier) && isIdentifier(parts[1])
    }

    /// A Python identifier in ASCII: a letter or `_`, then letters, digits or `_`.
    static func isIdentifier(_ text: Substring) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    /// The dotted module of an import path, as folder names (`["serving", "app"]` for
    /// `serving.app:app`).
    package static func moduleComponents(of importPath: String) -> [String] {
        let module = importPath.split(separator: ":", omittingEmptySubsequences: false).first ?? ""
        return module.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    /// The files, relative to the watched root, one of which holds an import path's module:
    /// `a/b/c.py`, or the package's `a/b/c/__init__.py`.
    package static func moduleFiles(of importPath: String) -> [String] {
        let module = moduleComponents(of: importPath).joined(separator: "/")
        return [module + ".py", module + "/__init__.py"]
    }
}
