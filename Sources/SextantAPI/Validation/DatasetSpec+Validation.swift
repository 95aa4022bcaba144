import SextantYAML

extension DatasetSpec {
    func validate(into issues: inout Issues) {
        let path: FieldPath = ["spec", "source"]
        switch (source.path, source.uri) {
        case (nil, nil):
            issues.add(path, "give path (a file under the watched root) or uri (file:// outside it)")
        case (.some, .some):
            issues.add(path.appending("uri"), "path and uri exclude each other; keep one", atKey: true)
        case (let file?, nil):
            issues.checkConfined(file, at: path.appending("path"))
        case (nil, let uri?):
            if !uri.hasPrefix("file:///") {
                issues.add(path.appending("uri"), "\"\(uri)\" is not a file:/// URI; only local files outside the repository are read (under the daemon's --data-root)")
            } else if uri.split(separator: "/").contains("..") {
                issues.add(path.appending("uri"), "\"\(uri)\" contains \"..\"; give the file's real location")
            }
        }
        if let sha256 {
            let isHex = sha256.utf8.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) }
            if sha256.utf8.count != 64 || !isHex {
                issues.add(["spec", "sha256"], "sha256 must be 64 lowercase hex digits (the output of sha256sum)")
            }
        }
    }
}
