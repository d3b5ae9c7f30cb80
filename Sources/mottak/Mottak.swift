import ArgumentParser
import Domain
import EventProcessing
import Foundation
import Kafka
import Logging
import MottakApp
import Storage

/// `mottak`: the production binary of oppfolgingsplan-mottak (the image's). Each subcommand reads
/// its configuration from the environment (see `docs/configuration.md`) and stops with a message
/// naming the variable when a value is missing or wrong. The local stack, its stand-ins and its
/// tokens are another binary's, `mottak-dev`: none of them is linked here.
@main
struct Mottak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mottak",
        abstract: "Receives follow-up plans (oppfølgingsplaner) and delivers them to NAV and the GP.",
        subcommands: [Serve.self, Migrate.self, DeadLetterCommand.self, ImportLegacyCommand.self]
    )
}
