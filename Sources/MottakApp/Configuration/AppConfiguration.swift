import Domain
import EventProcessing
import Foundation
import Kafka
import Logging
import NavClients
import Storage

/// Everything the service reads from its environment, read once at start-up into one value.
///
/// Names are NAIS's where NAIS defines them (`APPLICATION_PORT`, `NAIS_CLUSTER_NAME`,
/// `KAFKA_BROKERS`, `KAFKA_*_PATH`, `GCP_DB_*`), so the NAIS manifest needs no translation.
/// `docs/configuration.md` lists every variable; keep the two in step.
public struct AppConfiguration: Sendable {
    /// `serve` needs real infrastructure; `dev` supplies local components for what is unset.
    public enum Mode: Sendable {
        case serve
        case dev
    }

    public var httpHost: String
    public var httpPort: Int
    /// `INTERNAL_PORT`: where the probes and metrics (`/internal/*`) are served, apart from the
    /// API's port, so that the ingress never reaches them; the API's port then answers 404 for
    /// them. Unset, they share the API's port (`mottak-dev`, tests). Required on NAIS (8081 in
    /// the manifests), and never the API's port; `0` asks for any free port.
    public var internalPort: Int?
    /// `NAIS_CLUSTER_NAME`: `dev-gcp` and `prod-gcp` on NAIS, `local` elsewhere.
    public var clusterName: String
    /// The clusters where NAV's test identities may skip the checks (`DEV_TEST_IDENTITIES`).
    static let developmentClusters: Set<String> = ["dev-gcp", "local"]
    /// Nil only in `dev` mode, where `mottak-dev` starts a throwaway PostgreSQL.
    public var database: DatabaseConfiguration?
    /// Nil only in `dev` mode, where `mottak-dev` starts the embedded Kafka cluster.
    public var kafka: KafkaConfiguration?
    /// The Kafka topics' names (`KAFKA_TOPIC_*`): the short local names unless set; on NAIS
    /// (`NAIS_CLUSTER_NAME` set) the topics we own must be named, fully qualified.
    public var topics: EventTopics
    public var migrationsDirectory: String
    public var migrateOnStart: Bool
    public var logLevel: Logger.Level
    /// `LOG_FORMAT`: `json` (default of `serve`) or `text` (default of `dev`).
    public var logFormat: LogFormat
    /// Where Maskinporten's keys come from. Nil only in `dev` mode without
    /// `MASKINPORTEN_WELL_KNOWN_URL`, where `mottak-dev` starts its local issuer.
    public var maskinporten: MaskinportenConfiguration?
    /// `MASKINPORTEN_CUSTOM_SCOPE_NAME`: the scope a token must carry (NAIS sets it).
    public var maskinportenScope: String
    /// `MASKINPORTEN_CLOCK_LEEWAY_SECONDS`: clock skew allowed on `exp`/`nbf`/`iat`.
    public var maskinportenLeeway: Duration
    /// NAV's APIs (Aareg, PDL, …) and Azure AD.
    public var navApis: NavApiConfiguration
    /// `AUDIT_LOG_ADDRESS` (`host:port`; `serve`'s default is NAIS's `audit.nais:6514`): where
    /// the case workers' routes send their audit records (syslog over TCP). Nil only in `dev`
    /// mode when unset, where `mottak-dev` starts its local collector.
    public var auditLogAddress: (host: String, port: Int)?
    /// `mottak-dev`'s stand-ins of NAV's APIs: `LOCAL_STANDINS_PORT` (default any free port) and
    /// `LOCAL_STANDINS_LATENCY_MS` (added to every answer; the pipeline benchmark uses 20).
    public var localStandIns: (port: Int, latency: Duration)
    /// How the consuming roles retry a message that failed for a transient reason, quickly and
    /// in memory: `RETRY_MAX_ATTEMPTS` (default 3), `RETRY_INITIAL_DELAY_MS` (200),
    /// `RETRY_MAX_DELAY_MS` (30,000; also the longest pause while our own PostgreSQL or Kafka
    /// is away, which is waited out without counting).
    public var retryPolicy: RetryPolicy
    /// The durable wait after the quick attempts: `PARKED_RETRY_HORIZON_SECONDS` (default
    /// 86,400, one day; 0 dead-letters after the quick attempts), `PARKED_RETRY_INITIAL_DELAY_MS`
    /// (10,000) and `PARKED_RETRY_MAX_DELAY_MS` (300,000). See ``EventProcessing/ParkingPolicy``.
    public var parkingPolicy: ParkingPolicy
    /// The circuit breaker of each NAV API: `CIRCUIT_FAILURE_THRESHOLD` (default 5 failures in a
    /// row), `CIRCUIT_OPEN_MS` (5,000 before the first probe), `CIRCUIT_MAX_OPEN_MS` (60,000: the
    /// longest an API that is back goes unnoticed). See ``NavClients/DependencyCircuits``.
    public var circuitSettings: DependencyCircuits.Settings
    /// How they retry while a NAV API refuses our access (401/403): `ACCESS_DENIED_RETRY_MAX_ATTEMPTS`
    /// (default 12), `ACCESS_DENIED_RETRY_INITIAL_DELAY_MS` (5,000), `ACCESS_DENIED_RETRY_MAX_DELAY_MS` (300,000).
    public var accessDeniedRetryPolicy: RetryPolicy
    /// How many messages each consuming member handles at once, in order per plan:
    /// `CONSUMER_MAX_IN_FLIGHT` (default 256; 1 is the one-at-a-time loop), per role
    /// `CONSUMER_MAX_IN_FLIGHT_<ROLE>` (`CONSUMER_MAX_IN_FLIGHT_NAV_CHANNEL`, …),
    /// `CONSUMER_MAX_PARTITION_SPREAD` (1,000: what a crash may replay per partition) and
    /// `CONSUMER_REVOCATION_GRACE_MS` (10,000). See ``Kafka/KeyOrderedProcessing``.
    public var consumerProcessing: [Role: KeyOrderedProcessing]
    /// `STATUS_BATCH_MAX` (default 100): the status updater applies the status events in hand
    /// in one transaction, at most this many; 1 applies each alone.
    public var statusBatch: Int
    /// The dev test identities skip the lookup's checks: on `dev-gcp`, in `mottak-dev`, or with
    /// `DEV_TEST_IDENTITIES=true` (only on `dev-gcp` or outside NAIS).
    public var devTestIdentitiesSkipChecks: Bool
    /// How long a submission waits for its plan's outcome before it answers 202
    /// (`SUBMISSION_WAIT_MS`, default 10 s; 0 answers 202 at once).
    public var submissionWait: Duration
    /// How long a submission waits for a free PostgreSQL connection before it answers 503
    /// "nothing was saved" (`STORE_CONNECTION_WAIT_MS`, default 5 s): PostgreSQL unreachable, or
    /// so overloaded that shedding the request is kinder than queueing it.
    public var storeConnectionWait: Duration
    /// An HTTP connection without traffic for this long is closed (`HTTP_IDLE_TIMEOUT_SECONDS`,
    /// default 75: longer than NAIS's ingress keeps an idle upstream connection, 60 s, so the
    /// ingress never sends on a connection we are closing; a client that opens connections and
    /// sends nothing holds them no longer).
    public var httpIdleTimeout: Duration
    /// Requests of one LPS at work at once in a process, at most
    /// (`HTTP_MAX_CONCURRENT_PER_ORGANISATION`, default 256: an LPS waiting for 200 outcomes at once is normal; ``ApiSupport/OrganisationConcurrencyLimit``).
    public var maximumConcurrentRequestsPerOrganisation: Int
    /// How long a stopping process stays up answering 503 on readiness before it stops
    /// accepting connections (`SHUTDOWN_DRAIN_MS`, default 5 s in `serve`, 0 in `dev`).
    public var shutdownDrain: Duration
    /// The longest a graceful shutdown may take before what is left is cancelled
    /// (`SHUTDOWN_GRACE_SECONDS`, default 30: inside the pods' 45 s termination grace period).
    public var shutdownGrace: Duration

    public init(environment: [String: String], mode: Mode) throws(ConfigurationError) {
        let env = EnvironmentReader(values: environment)
        httpHost = env.string("APPLICATION_HOST") ?? (mode == .dev ? "127.0.0.1" : "0.0.0.0")
        httpPort = try env.integer("APPLICATION_PORT", default: 8080, in: 0...65535)
        clusterName = env.string("NAIS_CLUSTER_NAME") ?? "local"
        migrationsDirectory = env.string("MIGRATIONS_DIR") ?? "migrations"
        migrateOnStart = try env.boolean("MIGRATE_ON_START", default: true)
        logLevel = try env.oneOf("LOG_LEVEL", default: Logger.Level.info)
        logFormat = try env.oneOf("LOG_FORMAT", default: mode == .serve ? LogFormat.json : .text)
        database = try Self.databaseOnNais(env, onNais: env.string("NAIS_CLUSTER_NAME") != nil)
        kafka = try Self.kafka(env)
        topics = try EventTopics(env, onNais: env.string("NAIS_CLUSTER_NAME") != nil)
        internalPort = try Self.internalPort(env, httpPort: httpPort, onNais: env.string("NAIS_CLUSTER_NAME") != nil)
        maskinporten = env.string("MASKINPORTEN_WELL_KNOWN_URL").map(MaskinportenConfiguration.init(wellKnownURL:))
        maskinportenScope = env.string("MASKINPORTEN_CUSTOM_SCOPE_NAME") ?? "nav:oppfolgingsplan/lps.write"
        maskinportenLeeway = .seconds(try env.integer("MASKINPORTEN_CLOCK_LEEWAY_SECONDS", default: 30, in: 0...300))
        navApis = try NavApiConfiguration(env)
        auditLogAddress =
            mode == .serve || env.string("AUDIT_LOG_ADDRESS") != nil
            ? try Self.hostAndPort(env, "AUDIT_LOG_ADDRESS", default: "audit.nais:6514") : nil
        localStandIns = (
            try env.integer("LOCAL_STANDINS_PORT", default: 0, in: 0...65535),
            .milliseconds(try env.integer("LOCAL_STANDINS_LATENCY_MS", default: 0, in: 0...60_000))
        )
        retryPolicy = RetryPolicy(
            maximumAttempts: try env.integer("RETRY_MAX_ATTEMPTS", default: 3, in: 1...100),
            initialDelay: .milliseconds(try env.integer("RETRY_INITIAL_DELAY_MS", default: 200, in: 1...600_000)),
            maximumDelay: .milliseconds(try env.integer("RETRY_MAX_DELAY_MS", default: 30_000, in: 1...3_600_000)))
        parkingPolicy = ParkingPolicy(
            horizon: .seconds(try env.integer("PARKED_RETRY_HORIZON_SECONDS", default: 86_400, in: 0...30 * 86_400)),
            initialDelay: .milliseconds(try env.integer("PARKED_RETRY_INITIAL_DELAY_MS", default: 10_000, in: 1...3_600_000)),
            maximumDelay: .milliseconds(try env.integer("PARKED_RETRY_MAX_DELAY_MS", default: 300_000, in: 1...86_400_000)))
        var circuits = DependencyCircuits.Settings()
        circuits.failureThreshold = try env.integer("CIRCUIT_FAILURE_THRESHOLD", default: 5, in: 1...1_000)
        circuits.openFor = .milliseconds(try env.integer("CIRCUIT_OPEN_MS", default: 5_000, in: 1...3_600_000))
        circuits.maximumOpenFor = .milliseconds(try env.integer("CIRCUIT_MAX_OPEN_MS", default: 60_000, in: 1...3_600_000))
        circuitSettings = circuits
        accessDeniedRetryPolicy = RetryPolicy(
            maximumAttempts: try env.integer("ACCESS_DENIED_RETRY_MAX_ATTEMPTS", default: RetryPolicy.accessDenied.maximumAttempts, in: 1...1000),
            initialDelay: .milliseconds(try env.integer("ACCESS_DENIED_RETRY_INITIAL_DELAY_MS", default: 5_000, in: 1...3_600_000)),
            maximumDelay: .milliseconds(try env.integer("ACCESS_DENIED_RETRY_MAX_DELAY_MS", default: 300_000, in: 1...3_600_000)))
        consumerProcessing = try Self.consumerProcessing(env)
        statusBatch = try env.integer("STATUS_BATCH_MAX", default: 100, in: 1...1_000)
        submissionWait = .milliseconds(try env.integer("SUBMISSION_WAIT_MS", default: 10_000, in: 0...60_000))
        storeConnectionWait = .milliseconds(try env.integer("STORE_CONNECTION_WAIT_MS", default: 5_000, in: 100...60_000))
        httpIdleTimeout = .seconds(try env.integer("HTTP_IDLE_TIMEOUT_SECONDS", default: 75, in: 1...3600))
        maximumConcurrentRequestsPerOrganisation = try env.integer("HTTP_MAX_CONCURRENT_PER_ORGANISATION", default: 256, in: 1...100_000)
        shutdownDrain = .milliseconds(try env.integer("SHUTDOWN_DRAIN_MS", default: mode == .serve ? 5_000 : 0, in: 0...60_000))
        shutdownGrace = .seconds(try env.integer("SHUTDOWN_GRACE_SECONDS", default: 30, in: 1...600))
        // On by default in `mottak-dev`: NAV's LPS demo submits for the dev identity 01898299631.
        // Only where a cluster says it is for development: dev-gcp on NAIS, or no NAIS at all. A
        // cluster named anything else (prod-gcp, prod-fss, a new one, a typo) never gets them.
        let isDevelopmentCluster = Self.developmentClusters.contains(clusterName)
        let devFlag = try env.boolean("DEV_TEST_IDENTITIES", default: mode == .dev && isDevelopmentCluster)
        devTestIdentitiesSkipChecks = clusterName == "dev-gcp" || devFlag
        if devTestIdentitiesSkipChecks && !isDevelopmentCluster {
            throw ConfigurationError(
                variable: "DEV_TEST_IDENTITIES", problem: "must not be true on \(clusterName) (only on dev-gcp or outside NAIS)")
        }
        if mode == .serve {
            if database == nil { throw .missing("DATABASE_URL", because: "`serve` needs PostgreSQL (or set GCP_DB_HOST and friends)") }
            if kafka == nil { throw .missing("KAFKA_BROKERS", because: "`serve` needs Kafka") }
        }
    }

    /// `host:port`, the port a number.
    static func hostAndPort(_ env: EnvironmentReader, _ name: String, default fallback: String) throws(ConfigurationError) -> (
        host: String, port: Int
    ) {
        let text = env.string(name) ?? fallback
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex, let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port)
        else { throw ConfigurationError(variable: name, problem: "'\(text)' is not host:port") }
        return (String(text[..<colon]), port)
    }

    private static func internalPort(_ env: EnvironmentReader, httpPort: Int, onNais: Bool) throws(ConfigurationError) -> Int? {
        guard env.string("INTERNAL_PORT") != nil else {
            if onNais {
                throw .missing(
                    "INTERNAL_PORT", because: "on NAIS the probes and metrics are served apart from the ingress's port (8081 in the manifests)")
            }
            return nil
        }
        let port = try env.integer("INTERNAL_PORT", default: 0, in: 0...65535)
        if port == httpPort && port != 0 {
            throw ConfigurationError(variable: "INTERNAL_PORT", problem: "is APPLICATION_PORT (\(httpPort)); it must be a port of its own")
        }
        return port
    }

    private static func consumerProcessing(_ env: EnvironmentReader) throws(ConfigurationError) -> [Role: KeyOrderedProcessing] {
        let inFlight = try env.integer("CONSUMER_MAX_IN_FLIGHT", default: 256, in: 1...10_000)
        let spread = try env.integer("CONSUMER_MAX_PARTITION_SPREAD", default: 1_000, in: 1...1_000_000)
        let grace = Duration.milliseconds(try env.integer("CONSUMER_REVOCATION_GRACE_MS", default: 10_000, in: 0...600_000))
        var settings: [Role: KeyOrderedProcessing] = [:]
        for role in Role.allCases where role.consumerGroup != nil {
            let name = "CONSUMER_MAX_IN_FLIGHT_" + role.rawValue.uppercased().replacingOccurrences(of: "-", with: "_")
            settings[role] = KeyOrderedProcessing(
                maximumInFlight: try env.integer(name, default: inFlight, in: 1...10_000), maximumPartitionSpread: Int64(spread),
                revocationGrace: grace)
        }
        return settings
    }

    /// `DATABASE_URL` when set (it wins), else NAIS's `GCP_DB_*` when any of them is set.
    ///
    /// On NAIS a database reached over the network must prove who it is: NAIS gives a Cloud SQL
    /// instance on private IP `GCP_DB_SSLMODE=verify-ca` with its root certificate and a client
    /// certificate (nais/doc, persistence/cloudsql/reference), and then `verify-ca` is the
    /// default; `prefer` or `require` (TLS without a certificate check, open to a server in the
    /// middle) is refused. Only the Cloud SQL proxy on the loopback interface may go without.
    static func databaseOnNais(_ env: EnvironmentReader, onNais: Bool) throws(ConfigurationError) -> DatabaseConfiguration? {
        guard var configuration = try database(env) else { return nil }
        guard onNais, !["127.0.0.1", "localhost", "::1"].contains(configuration.host) else { return configuration }
        let variable = env.string("DATABASE_URL") != nil ? "DATABASE_URL" : "GCP_DB_SSLMODE"
        let explicit = env.string("DATABASE_URL").map { $0.contains("sslmode=") } ?? (env.string("GCP_DB_SSLMODE") != nil)
        switch configuration.sslMode {
        case .verifyCA, .verifyFull:
            return configuration
        case .prefer where !explicit:
            configuration.sslMode = .verifyCA
            return configuration
        default:
            throw ConfigurationError(
                variable: variable,
                problem:
                    "asks for sslmode \(configuration.sslMode.rawValue) to \(configuration.host); on NAIS a database over the network must be verified (verify-ca or verify-full, with GCP_DB_SSLROOTCERT)"
            )
        }
    }

    private static func database(_ env: EnvironmentReader) throws(ConfigurationError) -> DatabaseConfiguration? {
        let maximumConnections = try env.integer("DATABASE_MAX_CONNECTIONS", default: 10, in: 1...1000)
        if let url = env.string("DATABASE_URL") {
            do {
                return try DatabaseConfiguration(url: url, maximumConnections: maximumConnections)
            } catch {
                throw ConfigurationError(variable: "DATABASE_URL", problem: "is \(error)")
            }
        }
        let names = ["GCP_DB_HOST", "GCP_DB_PORT", "GCP_DB_DATABASE", "GCP_DB_USERNAME", "GCP_DB_PASSWORD"]
        guard names.contains(where: { env.string($0) != nil }) else { return nil }
        let reason = "the database is configured through GCP_DB_*"
        var configuration = DatabaseConfiguration(
            host: env.string("GCP_DB_HOST") ?? "127.0.0.1",
            port: try env.integer("GCP_DB_PORT", default: 5432, in: 1...65535),
            username: try env.required("GCP_DB_USERNAME", because: reason),
            password: try env.required("GCP_DB_PASSWORD", because: reason),
            database: try env.required("GCP_DB_DATABASE", because: reason),
            sslMode: try env.oneOf("GCP_DB_SSLMODE", default: .prefer),
            sslRootCertificatePath: env.string("GCP_DB_SSLROOTCERT"),
            maximumConnections: maximumConnections)
        if let client = try env.allOrNone(["GCP_DB_SSLCERT", "GCP_DB_SSLKEY"], because: "a client certificate needs both") {
            configuration.sslClientCertificatePath = client[0]
            configuration.sslClientKeyPath = client[1]
        }
        return configuration
    }

    /// `KAFKA_BROKERS`, and TLS as NAIS provides it for Aiven (PEM files).
    private static func kafka(_ env: EnvironmentReader) throws(ConfigurationError) -> KafkaConfiguration? {
        let tlsNames = ["KAFKA_CA_PATH", "KAFKA_CERTIFICATE_PATH", "KAFKA_PRIVATE_KEY_PATH"]
        guard let brokers = env.string("KAFKA_BROKERS") else {
            if let set = tlsNames.first(where: { env.string($0) != nil }) {
                throw .missing("KAFKA_BROKERS", because: "\(set) is set")
            }
            return nil
        }
        var configuration = KafkaConfiguration(bootstrapServers: brokers, clientID: env.string("NAIS_APP_NAME") ?? "oppfolgingsplan-mottak")
        if let tls = try env.allOrNone(tlsNames, because: "Kafka TLS needs all three") {
            configuration.properties["security.protocol"] = "ssl"
            configuration.properties["ssl.ca.location"] = tls[0]
            configuration.properties["ssl.certificate.location"] = tls[1]
            configuration.properties["ssl.key.location"] = tls[2]
        }
        if let passThrough = env.string("KAFKA_PROPERTIES") {
            configuration.properties.merge(try librdkafkaProperties(passThrough, variable: "KAFKA_PROPERTIES")) { $1 }
        }
        if let passThrough = env.string("KAFKA_CONSUMER_PROPERTIES") {
            configuration.consumerProperties = try librdkafkaProperties(passThrough, variable: "KAFKA_CONSUMER_PROPERTIES")
        }
        if let passThrough = env.string("KAFKA_PRODUCER_PROPERTIES") {
            configuration.producerProperties = try librdkafkaProperties(passThrough, variable: "KAFKA_PRODUCER_PROPERTIES")
        }
        // Static membership (opt-in): a member restarted under the same pod name takes its
        // partitions back without a rebalance. Off by default: a static member that stops does
        // not leave its group (KIP-345), and NAIS gives every new pod of a rollout or a
        // scale-down a new name, so each deploy would leave its partitions unserved until
        // `session.timeout.ms` (45 s) passed.
        if try env.boolean("KAFKA_STATIC_MEMBERSHIP", default: false), configuration.consumerProperties["group.instance.id"] == nil {
            configuration.consumerProperties["group.instance.id"] = try env.required(
                "HOSTNAME", because: "KAFKA_STATIC_MEMBERSHIP names each member after its pod")
        }
        return configuration
    }

    /// `KAFKA_PROPERTIES` (every client), `KAFKA_CONSUMER_PROPERTIES`, `KAFKA_PRODUCER_PROPERTIES`:
    /// librdkafka properties, `name=value` separated by `;` or new lines (values may contain
    /// commas and colons, as broker lists and cipher suites do). librdkafka itself rejects
    /// unknown names and bad values when a client starts.
    private static func librdkafkaProperties(_ text: String, variable: String) throws(ConfigurationError) -> [String: String] {
        var properties: [String: String] = [:]
        for entry in text.split(whereSeparator: { $0 == ";" || $0 == "\n" }) {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "="), equals != trimmed.startIndex else {
                throw ConfigurationError(variable: variable, problem: "has '\(trimmed)', expected name=value entries separated by ';'")
            }
            properties[String(trimmed[..<equals]).trimmingCharacters(in: .whitespaces)] =
                String(trimmed[trimmed.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        }
        return properties
    }
}
