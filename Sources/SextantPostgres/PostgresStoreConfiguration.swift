import Foundation
import SextantCore

/// Where the shared store is and how to reach it: `--store postgres://USER@HOST:PORT/DB?sslmode=…`.
///
/// The password never comes from the URL (it would show in `ps`, shell history and logs):
/// it is read from `--store-password-file` (a file only its owner may read, like
/// `--webhook-secret-file`) or from `PGPASSWORD`. Nothing here prints it.
package struct PostgresStoreConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// How the connection is encrypted: libpq's `sslmode` values that PostgresNIO has.
    package enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Never TLS (loopback, a trusted network).
        case disable
        /// TLS when the server offers it.
        case prefer
        /// TLS or no connection.
        case require
    }

    package var host: String
    package var port: Int
    package var user: String
    package var database: String
    package var tls: TLSMode
    /// Nil: the server asks for none (trust, peer) or the connection fails saying so.
    package var password: String?

    package init(host: String, port: Int = 5432, user: String, database: String, tls: TLSMode = .prefer, password: String? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.tls = tls
        self.password = password
    }

    /// The URL without any password: what errors and logs name.
    package var url: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(hostPart):\(port)/\(database)?sslmode=\(tls.rawValue)"
    }

    package var description: String { url }

    /// Parses `--store URL`; the password comes from `passwordFile` (checked like a secret
    /// file) or else `environment["PGPASSWORD"]`. Errors name `--store` and what to do.
    package static func parse(_ text: String, passwordFile: String? = nil,
                              environment: [String: String] = ProcessInfo.processInfo.environment) throws(PostgresStoreError) -> PostgresStoreConfiguration {
        let example = "postgres://USER@HOST:5432/DATABASE?sslmode=require"
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw PostgresStoreError("--store \(redacted(text)): not a URL; give \(example)")
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw PostgresStoreError("--store \(redacted(text)): the scheme \(scheme) is not postgres://; give \(example), or leave --store out for the state directory's SQLite")
        }
        guard components.password == nil else {
            throw PostgresStoreError("--store \(redacted(text)): the URL holds a password; remove it and use --store-password-file FILE (or PGPASSWORD) instead")
        }
        guard let user = components.user, !user.isEmpty else {
            throw PostgresStoreError("--store \(redacted(text)): no user; give \(example)")
        }
        // Foundation keeps an IPv6 address's brackets in `host`.
        guard let host = components.host.map({ $0.hasPrefix("[") && $0.hasSuffix("]") ? String($0.dropFirst().dropLast()) : $0 }), !host.isEmpty else {
            throw PostgresStoreError("--store \(redacted(text)): no host; give \(example)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresStoreError("--store \(redacted(text)): name one database after the host (…:5432/DATABASE)")
        }
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                    throw PostgresStoreError("--store \(redacted(text)): sslmode \(item.value ?? "") is not one of disable, prefer, require")
                }
                tls = mode
            default:
                throw PostgresStoreError("--store \(redacted(text)): unknown parameter \(item.name); only sslmode=disable|prefer|require is read")
            }
        }
        let password: String?
        if let passwordFile {
            password = try readPassword(passwordFile)
        } else if let variable = environment["PGPASSWORD"], !variable.isEmpty {
            password = variable
        } else {
            password = nil
        }
        return PostgresStoreConfiguration(host: host, port: components.port ?? 5432, user: user, database: database, tls: tls, password: password)
    }

    /// The URL with any password replaced by `***`, for errors about a URL that holds one.
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? "(the URL)"
    }

    /// A password file's first line, with the checks of every secret file.
    static func readPassword(_ path: String) throws(PostgresStoreError) -> String {
        do throws(SecretFile.Failure) {
            return String(decoding: try SecretFile.read(path, flag: "--store-password-file", what: "password"), as: UTF8.self)
        } catch {
            throw PostgresStoreError(error.message)
        }
    }

    /// Whether both name one database (whatever the role or TLS mode).
    package func sameDatabase(as other: Self) -> Bool {
        host == other.host && port == other.port && database == other.database
    }

    package static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.url == rhs.url && lhs.password == rhs.password
    }

    package func hash(into hasher: inout Hasher) { hasher.combine(url) }
}

// The password shows neither in `debugPrint` nor in `dump`: only the URL without it.
extension PostgresStoreConfiguration: CustomDebugStringConvertible, CustomReflectable {
    package var debugDescription: String { url }
    package var customMirror: Mirror { Mirror(self, children: ["url": url, "password": password == nil ? "none" : "***"]) }
}

/// A failure of the PostgreSQL store: one line saying what happened and what to do. Never
/// holds a password.
package struct PostgresStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}
