import Foundation
import NIOSSL
import PostgresNIO

/// How to reach PostgreSQL, independent of where the values came from (`DATABASE_URL` or
/// NAIS's `GCP_DB_*` variables).
public struct DatabaseConfiguration: Sendable, Equatable {
    /// libpq's `sslmode` values that we support, with libpq's meaning.
    public enum SSLMode: String, Sendable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, plain otherwise; no certificate check.
        case prefer
        /// TLS always, without checking the certificate.
        case require
        /// TLS always, certificate checked against the system's (or given) roots, host name not.
        case verifyCA = "verify-ca"
        /// TLS always, certificate and host name checked against the system's (or given) roots.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode
    /// A PEM file of trusted roots for `verify-full` (libpq's `sslrootcert`).
    public var sslRootCertificatePath: String?
    /// PEM client certificate and key, for servers that require them (Cloud SQL with TLS).
    public var sslClientCertificatePath: String?
    public var sslClientKeyPath: String?
    /// Upper bound of the connection pool of one process.
    public var maximumConnections: Int

    public init(
        host: String, port: Int = 5432, username: String, password: String?, database: String,
        sslMode: SSLMode = .prefer, sslRootCertificatePath: String? = nil, maximumConnections: Int = 10
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.sslMode = sslMode
        self.sslRootCertificatePath = sslRootCertificatePath
        self.maximumConnections = maximumConnections
    }

    /// Parses a libpq-style URL: `postgres://user:password@host:port/database?sslmode=require`.
    ///
    /// User name and password may be percent-encoded. Errors never repeat the URL, because it
    /// usually contains the password.
    public init(url: String, maximumConnections: Int = 10) throws(DatabaseConfigurationError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw .invalidURL("expected postgres://user:password@host:port/database")
        }
        guard let host = components.host, !host.isEmpty else { throw .invalidURL("the host is missing") }
        guard let username = components.percentEncodedUser?.removingPercentEncoding, !username.isEmpty else {
            throw .invalidURL("the user name is missing")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw .invalidURL("the database name is missing") }
        var sslMode = SSLMode.prefer
        var rootCertificate: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let mode = SSLMode(rawValue: value) else {
                    throw .invalidURL("sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            case "sslrootcert":
                rootCertificate = item.value
            default:
                throw .invalidURL("unsupported parameter '\(item.name)'")
            }
        }
        self.init(
            host: host, port: components.port ?? 5432, username: username,
            password: components.percentEncodedPassword?.removingPercentEncoding, database: database,
            sslMode: sslMode, sslRootCertificatePath: rootCertificate, maximumConnections: maximumConnections)
    }

    /// The TLS settings of `sslMode`: nil for `disable`, and whether TLS is only preferred.
    func tlsSettings() throws -> (settings: TLSConfiguration, preferOnly: Bool)? {
        switch sslMode {
        case .disable:
            return nil
        case .prefer, .require:
            var settings = TLSConfiguration.makeClientConfiguration()
            settings.certificateVerification = .none
            return (settings, sslMode == .prefer)
        case .verifyCA, .verifyFull:
            var settings = TLSConfiguration.makeClientConfiguration()
            settings.certificateVerification = sslMode == .verifyCA ? .noHostnameVerification : .fullVerification
            if let sslRootCertificatePath {
                settings.trustRoots = .file(sslRootCertificatePath)
            }
            if let sslClientCertificatePath, let sslClientKeyPath {
                settings.certificateChain = try NIOSSLCertificate.fromPEMFile(sslClientCertificatePath).map { .certificate($0) }
                settings.privateKey = .privateKey(try NIOSSLPrivateKey(file: sslClientKeyPath, format: .pem))
            }
            return (settings, false)
        }
    }

    /// One connection of its own, outside any pool: for a question that must not wait on a
    /// pool that has just lost a connection (``SubmissionStore/isStored(_:within:)``).
    public func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS =
            switch try tlsSettings() {
            case nil: .disable
            case (let settings, let preferOnly)?:
                preferOnly ? .prefer(try NIOSSLContext(configuration: settings)) : .require(try NIOSSLContext(configuration: settings))
            }
        return PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
    }

    /// The postgres-nio client configuration for these settings.
    public func clientConfiguration() throws -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch try tlsSettings() {
            case nil: .disable
            case (let settings, let preferOnly)?: preferOnly ? .prefer(settings) : .require(settings)
            }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.minimumConnections = 0
        return configuration
    }
}

/// Why a database setting could not be used. The text never contains a password.
public enum DatabaseConfigurationError: Error, Equatable, CustomStringConvertible {
    case invalidURL(String)

    public var description: String {
        switch self {
        case .invalidURL(let reason): "not a valid PostgreSQL URL: \(reason)"
        }
    }
}
