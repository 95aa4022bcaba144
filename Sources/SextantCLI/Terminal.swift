import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The terminal standard output writes to, if it is one.
enum Terminal {
    static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// The columns output must fit: the terminal's (TIOCGWINSZ), else `COLUMNS`, else none
    /// (a pipe or a file gets every line whole).
    static func width(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
        if isTerminal, let size = size(), size.columns > 0 { return size.columns }
        return environment["COLUMNS"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
    }

    /// The terminal's rows, when standard output is one.
    static func height() -> Int? {
        guard isTerminal, let size = size(), size.rows > 0 else { return nil }
        return size.rows
    }

    private static func size() -> (columns: Int, rows: Int)? {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 else { return nil }
        return (Int(size.ws_col), Int(size.ws_row))
    }
}
