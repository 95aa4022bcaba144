import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The entry point `main.swift` calls: parses the command line, runs the command and maps
/// failures to the documented exit codes (2 for usage errors, not ArgumentParser's 64).
package enum SextantMain {
    package static func run(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Never {
        do {
            var command = try SextantCommand.parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit(0)
        } catch let exit as ExitCode {
            Glibc.exit(exit.rawValue)
        } catch let failure as CommandFailure {
            printError("error: \(failure.message)")
            exit(failure.exitCode)
        } catch {
            let code = SextantCommand.exitCode(for: error)
            let message = SextantCommand.fullMessage(for: error)
            if code == .success {
                print(message)
                exit(0)
            }
            printError(message)
            exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// An error a command reports as one line, with its exit code.
package struct CommandFailure: Error {
    /// The line printed after `error: `.
    package var message: String
    /// The process's exit status (2: usage, or nothing could start).
    package var exitCode: Int32 = 2
}

/// Flushes standard output and ends the process without unwinding: for commands whose
/// last act is to drop large data structures.
func exitWithoutTeardown(_ status: Int32) -> Never {
    fflush(nil)  // every C stream, which is where print writes
    exit(status)
}

func printError(_ message: String) {
    var standardError = StandardError()
    print(message, to: &standardError)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
