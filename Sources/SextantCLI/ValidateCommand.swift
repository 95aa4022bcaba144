import ArgumentParser
import Foundation
import SextantAPI
import SextantGit
import SextantSource
import SextantYAML

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check manifests and data contracts without a store; never runs repository code.",
        discussion: """
            Reads every .yaml/.yml file under each watched root (skipping
            dot-directories and paths in .sextantignore), decodes and validates it,
            checks references between manifests and that the files they name exist, and
            prints every problem as FILE:LINE:COL: message.

            Exit status: 0 valid, 1 invalid, 2 usage or source error.

            Examples:
              sextant validate examples/quickstart
              sextant validate examples/quickstart -o json
              sextant validate --repo . --ref origin/main --path examples/quickstart
              sextant validate --repo . --ref HEAD --path examples/quickstart \\
                  -o github    # annotations in GitHub Actions
            """
    )

    @Argument(help: "Watched roots: directories of manifests (default: the current directory). Not with --repo.")
    var paths: [String] = []

    @Option(help: "Read a commit of this local Git repository instead of directories.")
    var repo: String?

    @Option(help: "With --repo: the branch, tag or SHA to read.")
    var ref: String = "HEAD"

    @Option(help: "With --repo: the watched root inside the repository.")
    var path: String = ""

    @Option(name: .shortAndLong, help: "Output format: text, json or github (workflow annotations).")
    var output: ValidateOutput = .text

    @OptionGroup var classified: ClassifiedOptions

    func validate() throws {
        if repo != nil, !paths.isEmpty {
            throw ValidationError("give directories or --repo, not both; use --path for the watched root inside the repository")
        }
        if repo == nil, !path.isEmpty {
            throw ValidationError("--path needs --repo; for a directory, give it as an argument")
        }
    }

    func run() throws {
        let loader = ManifestLoader(classified: classified.levels)
        var reports: [Report] = []
        if let repo {
            let repository: GitRepository
            let sha: String
            let source: GitTreeSource
            do throws(GitError) {
                repository = try GitRepository(path: repo)
                sha = try repository.resolve(ref)
                source = try GitTreeSource(repository: repository, commit: sha, root: path)
            } catch {
                throw CommandFailure(message: error.isNotFound && !path.isEmpty ? "\(error) (is --path \(path) a directory at \(ref)?)" : error.description)
            }
            let label = "\(repo)@\(ref) (\(sha.prefix(7)))" + (path.isEmpty ? "" : " \(path)")
            reports.append(Report(label: label, result: try load(loader, source)))
        } else {
            for root in paths.isEmpty ? ["."] : paths {
                let source: DirectorySource
                do throws(SourceError) {
                    source = try DirectorySource(root: root)
                } catch {
                    throw CommandFailure(message: error.message)
                }
                reports.append(Report(label: root, result: try load(loader, source)))
            }
        }
        print(render(reports), terminator: "")
        for report in reports where report.result.fileCount == 0 && report.result.diagnostics.isEmpty {
            printError("warning: \(report.label): no .yaml or .yml manifests found; is this the watched root?")
        }
        // Exit here: freeing ten thousand node trees on the way out costs more than a
        // quarter of a large run, and the process is ending anyway.
        exitWithoutTeardown(reports.contains(where: { !$0.result.isValid }) ? 1 : 0)
    }

    private func load(_ loader: ManifestLoader, _ source: some ManifestSource) throws -> ManifestLoader.Result {
        do throws(SourceError) {
            return try loader.load(source)
        } catch {
            throw CommandFailure(message: error.message)
        }
    }

    struct Report {
        var label: String
        var result: ManifestLoader.Result
    }

    func render(_ reports: [Report]) -> String {
        switch output {
        case .text: return reports.map(Self.text).joined()
        case .github: return reports.map(Self.github).joined()
        case .json: return Self.json(reports)
        }
    }

    static func text(_ report: Report) -> String {
        var text = ""
        for diagnostic in report.result.diagnostics {
            text += "\(diagnostic)\n"
        }
        text += summary(report) + "\n"
        return text
    }

    static func summary(_ report: Report) -> String {
        let result = report.result
        let manifests = result.manifests.all.count
        let kinds = result.manifests.countsByKind.map { "\($0.count) \($0.kind)" }.joined(separator: ", ")
        let read = "\(manifests) manifest\(manifests == 1 ? "" : "s") in \(result.fileCount) file\(result.fileCount == 1 ? "" : "s")"
        if result.isValid {
            return "\(report.label): valid, \(read)" + (kinds.isEmpty ? "" : " (\(kinds))")
        }
        let errors = result.diagnostics.count
        let files = Set(result.diagnostics.map(\.file)).count
        return "\(report.label): \(errors) error\(errors == 1 ? "" : "s") in \(files) file\(files == 1 ? "" : "s") (\(read))"
    }

    /// GitHub Actions workflow commands; properties and messages escaped as the runner expects.
    static func github(_ report: Report) -> String {
        func escapeData(_ text: String) -> String {
            text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
        }
        func escapeProperty(_ text: String) -> String {
            escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
        }
        var text = ""
        for diagnostic in report.result.diagnostics {
            var file = diagnostic.file
            if file.hasPrefix("./") { file.removeFirst(2) }
            text += "::error file=\(escapeProperty(file)),line=\(diagnostic.mark.line),col=\(diagnostic.mark.column)::\(escapeData(diagnostic.message))\n"
        }
        text += summary(report) + "\n"
        return text
    }

    struct JSONReport: Encodable {
        struct Manifest: Encodable {
            var kind: String
            var name: String
            var file: String
            var line: Int
        }
        struct Error: Encodable {
            var file: String
            var line: Int
            var column: Int
            var message: String
            var object: String?
        }
        var source: String
        var valid: Bool
        var files: Int
        var manifests: [Manifest]
        var errors: [Error]
    }

    static func json(_ reports: [Report]) -> String {
        let documents = reports.map { report in
            JSONReport(
                source: report.label,
                valid: report.result.isValid,
                files: report.result.fileCount,
                manifests: report.result.manifests.all.map {
                    .init(kind: $0.kind.rawValue, name: $0.name, file: $0.file, line: $0.mark.line)
                },
                errors: report.result.diagnostics.map {
                    .init(file: $0.file, line: $0.mark.line, column: $0.mark.column, message: $0.message, object: $0.object)
                })
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = documents.count == 1 ? try! encoder.encode(documents[0]) : try! encoder.encode(documents)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
