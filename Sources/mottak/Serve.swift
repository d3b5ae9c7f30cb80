import ArgumentParser
import Domain
import EventProcessing
import Foundation
import Kafka
import Logging
import MottakApp
import Storage

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one or more roles against the configured PostgreSQL and Kafka (production).")

    @Option(name: .long, help: "A role, a comma-separated list of roles, or all. Repeatable.")
    var role: [String] = ["all"]

    func run() async throws {
        let roles = try Role.parse(role)
        let configuration = try AppConfiguration(environment: ProcessInfo.processInfo.environment, mode: .serve)
        let tracing = try TracingSetup.bootstrapIfConfigured(ProcessInfo.processInfo.environment)
        let logger = makeLogger(configuration, tracing: tracing != nil)
        logger.notice(
            "starting",
            metadata: ["roles": "\(roles.sorted().map(\.rawValue))", "cluster": "\(configuration.clusterName)", "tracing": "\(tracing != nil)"])
        try await MottakApplication.run(configuration: configuration, roles: roles, leadingServices: tracing.map { [$0] } ?? [], logger: logger)
    }
}
