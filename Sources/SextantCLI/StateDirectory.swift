import SextantStore

/// A state directory this process holds for its whole life: the lock, taken first
/// (creating the directory, private to its owner), then the store. `run`,
/// `reconcile --once` and `down` hold one; readers (`status`, `get`…) open the store only.
struct StateDirectory {
    let path: String
    let lock: StateDirectoryLock
    let store: SQLiteStore

    /// - Parameter holder: this process as the lock file names it to anyone refused.
    init(_ path: String, holder: String) throws(StoreError) {
        self.path = path
        lock = try StateDirectoryLock(directory: path, command: holder)
        store = try SQLiteStore(directory: path)
    }

    /// Where the runtime keeps models, runs, servers and processes: the same directory
    /// whatever the working directory of a later command.
    var absolutePath: String { ReconcileCommand.absolute(path) }
}
