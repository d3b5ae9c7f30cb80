import ArgumentParser
import Domain
import Foundation
import Kafka
import LocalStandIns
import Logging
import MottakApp
import MottakDev
import Storage
import Submissions

/// `mottak-dev`: oppfolgingsplan-mottak on the local stack (`make run`), with the local stack's
/// tools: `mottak-dev token`, `mottak-dev stack`. A binary of its own, so that the production
/// binary (`mottak`, the image's) links none of the stand-ins, the embedded Kafka cluster, the
/// demo form or the token minting.
@main
struct MottakDevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mottak-dev",
        abstract:
            "Run every role in one process on local components: embedded Kafka, a throwaway PostgreSQL and a local Maskinporten issuer, unless configured.",
        subcommands: [DevToken.self, DevBenchStatement.self, DevStackCommand.self])

    @Option(name: .long, help: "The roles to run: a role, a comma-separated list, or all. Repeatable.")
    var role: [String] = ["all"]

    func run() async throws {
        let roles = try Role.parse(role)
        var configuration = try AppConfiguration(environment: ProcessInfo.processInfo.environment, mode: .dev)
        let tracing = try TracingSetup.bootstrapIfConfigured(ProcessInfo.processInfo.environment)
        let logger = makeLogger(configuration, tracing: tracing != nil)
        let seeded = configuration.kafka == nil && roles.contains(.sykmeldingIngest)
        let localServices = try await DevStack.prepare(&configuration, logger: logger)
        // Unbuffered, so the banner shows at once also when stdout is a pipe or a file.
        FileHandle.standardOutput.write(
            Data(
                """

                oppfolgingsplan-mottak (dev) on http://\(configuration.httpHost):\(configuration.httpPort)
                  curl -i http://\(configuration.httpHost):\(configuration.internalPort ?? configuration.httpPort)/internal/is_ready
                \(try submitExample(configuration))
                  Kafka:      \(configuration.kafka?.bootstrapServers ?? "")
                  PostgreSQL: \(configuration.database.map { "\($0.username)@\($0.host):\($0.port)/\($0.database)" } ?? "")
                  Maskinporten: \(configuration.maskinporten?.description ?? "")
                  API spec:   http://\(configuration.httpHost):\(configuration.httpPort)/swagger
                \(devTokenBanner(configuration))
                Ctrl-C stops everything.

                """.utf8))
        let tokenRoute = try devTokenRoute(configuration)
        let demo = try tokenRoute.map { DemoRoutes(assets: try DemoRoutes.assets(), tokens: $0) }
        try await MottakApplication.run(
            configuration: configuration, roles: roles, leadingServices: (tracing.map { [$0] } ?? []) + localServices,
            extraReadinessChecks: seeded ? DevStack.seedIngestedCheck : [:],
            devRoutes: { router in
                tokenRoute?.register(on: router)
                demo?.register(on: router)
            }, logger: logger)
    }
}

/// `GET /api/test/token` for NAV's LPS demo app, with the local issuer only: Basic credentials
/// `DEV_TOKEN_USERNAME` / `DEV_TOKEN_PASSWORD` (default `demo` / `demo`).
private func devTokenRoute(_ configuration: AppConfiguration) throws -> DevTokenRoute? {
    guard configuration.maskinporten?.description == DevStack.localIssuerDescription else { return nil }
    let (username, password) = devTokenCredentials()
    return DevTokenRoute(issuer: try LocalMaskinportenIssuer(keyFile: DevStack.devIssuerKeyFile), username: username, password: password)
}

private func devTokenCredentials() -> (String, String) {
    let environment = ProcessInfo.processInfo.environment
    return (environment["DEV_TOKEN_USERNAME"] ?? "demo", environment["DEV_TOKEN_PASSWORD"] ?? "demo")
}

private func devTokenBanner(_ configuration: AppConfiguration) -> String {
    guard configuration.maskinporten?.description == DevStack.localIssuerDescription else { return "" }
    let (username, password) = devTokenCredentials()
    let base = "http://\(configuration.httpHost):\(configuration.httpPort)"
    return """
          Test token (as NAV's LPS demo asks for it): curl -u '\(username):\(password)' \(base)\(DevTokenRoute.path)[?org=123456789]
          Demo form:  \(base)/demo
        """
}

/// A ready-to-paste submission with a local token for org 123456789 (only with the local issuer).
private func submitExample(_ configuration: AppConfiguration) throws -> String {
    guard configuration.maskinporten?.description == DevStack.localIssuerDescription else {
        return "  (MASKINPORTEN_WELL_KNOWN_URL is set: bring a token from that issuer)"
    }
    let token = try LocalMaskinportenIssuer(keyFile: DevStack.devIssuerKeyFile).token(consumer: "123456789", lifetime: 3600)
    return """
          Once is_ready answers 200 (the seeded sykmeldinger are read), submit a plan
          (token valid 1 h; more with `mottak-dev token --org 123456789`):
          curl -i -H 'Authorization: Bearer \(token)' -H 'Content-Type: application/json' \\
            --data @scripts/examples/followupplan.json http://\(configuration.httpHost):\(configuration.httpPort)/api/v1/followupplan
          It answers once the plan is delivered (200) or refused (403/404); add
          -H 'Prefer: respond-async' for a 202 at once. Follow a plan with its Location:
          curl -i -H 'Authorization: Bearer \(token)' http://\(configuration.httpHost):\(configuration.httpPort)/api/v1/followupplan/<uuid>/sendingstatus
          A case worker's view in Modia (docs/modia.md; audit records in .mottak-dev/audit.log):
          curl -i -H "Authorization: Bearer $(.build/debug/mottak-dev token --veileder Z990000)" -H 'nav-personident: 01019012345' \\
            http://\(configuration.httpHost):\(configuration.httpPort)/api/internad/v1/oppfolgingsplan/lps
        """
}
