import Foundation
import Testing
import SextantPostgres
import SextantTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `--store URL` and the password's sources.
@Suite struct PostgresStoreConfigurationTests {
    @Test("a valid URL gives host, port, user, database and TLS mode", arguments: [
        ("postgres://sextant@db.internal:5433/state?sslmode=require", "db.internal", 5433, "sextant", "state", PostgresStoreConfiguration.TLSMode.require),
        ("postgresql://ops@127.0.0.1/sextant?sslmode=disable", "127.0.0.1", 5432, "ops", "sextant", .disable),
        ("postgres://a@h/d", "h", 5432, "a", "d", .prefer),
        ("postgres://a@[::1]:6000/d?sslmode=prefer", "::1", 6000, "a", "d", .prefer),
    ])
    func valid(_ url: String, _ host: String, _ port: Int, _ user: String, _ database: String, _ tls: PostgresStoreConfiguration.TLSMode) throws {
        let configuration = try PostgresStoreConfiguration.parse(url, environment: [:])
        #expect(configuration == PostgresStoreConfiguration(host: host, port: port, user: user, database: database, tls: tls))
        #expect(configuration.password == nil)
    }

    @Test("an invalid URL is refused naming --store and what to do, never showing a password", arguments: [
        ("postgres://a:hunter2@h/d", "--store postgres://a:***@h/d: the URL holds a password; remove it and use --store-password-file FILE (or PGPASSWORD) instead"),
        ("mysql://a@h/d", "--store mysql://a@h/d: the scheme mysql is not postgres://; give postgres://USER@HOST:5432/DATABASE?sslmode=require, or leave --store out for the state directory's SQLite"),
        ("postgres://h/d", "--store postgres://h/d: no user; give postgres://USER@HOST:5432/DATABASE?sslmode=require"),
        ("postgres://a@h", "--store postgres://a@h: name one database after the host (…:5432/DATABASE)"),
        ("postgres://a@h/d?sslmode=verify-full", "--store postgres://a@h/d?sslmode=verify-full: sslmode verify-full is not one of disable, prefer, require"),
        ("postgres://a@h/d?connect_timeout=3", "--store postgres://a@h/d?connect_timeout=3: unknown parameter connect_timeout; only sslmode=disable|prefer|require is read"),
        ("sextant", "--store sextant: not a URL; give postgres://USER@HOST:5432/DATABASE?sslmode=require"),
    ])
    func invalid(_ url: String, _ message: String) {
        #expect(throws: PostgresStoreError(message)) { try PostgresStoreConfiguration.parse(url, environment: [:]) }
    }

    @Test("the password comes from a 0600 file (first line), else PGPASSWORD; a file others may read is refused; it never shows")
    func password() throws {
        let directory = try TemporaryDirectory()
        let file = directory.path + "/password"
        try "s3cret\n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        let url = "postgres://a@h/d?sslmode=disable"
        let fromFile = try PostgresStoreConfiguration.parse(url, passwordFile: file, environment: ["PGPASSWORD": "other"])
        #expect(fromFile.password == "s3cret")
        #expect(try PostgresStoreConfiguration.parse(url, environment: ["PGPASSWORD": "env"]).password == "env")
        for shown in ["\(fromFile)", String(reflecting: fromFile), fromFile.url] {
            #expect(!shown.contains("s3cret"), "\(shown)")
        }
        var dumped = ""
        dump(fromFile, to: &dumped)
        #expect(!dumped.contains("s3cret"))
        chmod(file, 0o644)
        #expect(throws: PostgresStoreError("--store-password-file \(file): permissions 644 are too open (group or others may read it); "
            + "run `chmod 600 \(file)`, and change the password if others could read it")) {
            try PostgresStoreConfiguration.parse(url, passwordFile: file, environment: [:])
        }
        #expect(throws: PostgresStoreError.self) { try PostgresStoreConfiguration.parse(url, passwordFile: directory.path + "/missing", environment: [:]) }
    }
}
