import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension SQLiteStore {
    /// What the file system that holds a state directory says about writing there.
    enum FileSystemState: Equatable {
        case writable
        /// Less than 1 MiB free: SQLite grows its write-ahead log a few pages at a time.
        case full(String)
        case readOnly(String)
    }

    static func fileSystem(of directory: String) -> FileSystemState {
        var stats = statvfs()
        guard statvfs(directory, &stats) == 0 else { return .writable }
        if stats.f_flag & UInt(ST_RDONLY) != 0 {
            return .readOnly("the file system that holds \(directory) is mounted read-only")
        }
        let available = UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
        if available < 1 << 20 {
            return .full("the file system that holds \(directory) is full (\(available / 1024) KiB free)")
        }
        return .writable
    }

    /// Why a daemon could not write the store in `directory` now, as far as the file
    /// system tells (full, or mounted read-only); nil when it looks writable.
    ///
    /// For readers of the database (`status --state-dir`): a daemon that cannot write
    /// cannot record that it cannot, so they look at the file system themselves.
    package static func writeProblem(in directory: String) -> String? {
        switch fileSystem(of: directory) {
        case .writable: nil
        case .full(let problem), .readOnly(let problem): problem
        }
    }
}
