import ArgumentParser
import SextantPostgres

/// `--store` and `--store-password-file`, of `run` and `down`.
struct StoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Where state is kept: the state directory's SQLite (default), or postgres://USER@HOST:PORT/DB?sslmode=disable|prefer|require, shared by replicas that elect a leader.", valueName: "url"))
    var store: String?

    @Option(help: ArgumentHelp("A file holding the PostgreSQL password of --store (else PGPASSWORD); never put it in the URL.", valueName: "file"))
    var storePasswordFile: String?

    func validate() throws {
        if storePasswordFile != nil, store == nil {
            throw ValidationError("--store-password-file needs --store postgres://…: the state directory's SQLite has no password")
        }
    }

    /// The PostgreSQL store named, or nil for the state directory's SQLite.
    func postgres() throws -> PostgresStoreConfiguration? {
        guard let store, store != "sqlite" else { return nil }
        do throws(PostgresStoreError) {
            return try .parse(store, passwordFile: storePasswordFile)
        } catch {
            throw CommandFailure(message: error.message)
        }
    }
}
