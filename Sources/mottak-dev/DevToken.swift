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

/// `mottak-dev token`: a token of the local issuer that `mottak-dev` accepts.
struct DevToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Print a Maskinporten-shaped token signed by the local issuer of `mottak-dev`.")

    @Option(help: "The employer's organisation number (the token's consumer claim).")
    var org: String

    @Option(help: "The LPS's organisation number when it acts for the employer (the supplier claim).")
    var supplier: String?

    @Option(help: "Space-separated scopes.")
    var scope = "nav:oppfolgingsplan/lps.write"

    @Option(help: "Lifetime in seconds.")
    var lifetime = 3600

    func validate() throws {
        for (name, value) in [("--org", org), ("--supplier", supplier)] {
            if let value, value.count != 9 || !value.allSatisfy(\.isASCII) || !value.allSatisfy(\.isNumber) {
                throw ValidationError("\(name) must be a 9-digit organisation number, not '\(value)'")
            }
        }
    }

    func run() async throws {
        let issuer = try LocalMaskinportenIssuer(keyFile: DevStack.devIssuerKeyFile)
        print(try issuer.token(consumer: org, supplier: supplier, scope: scope, lifetime: TimeInterval(lifetime)))
    }
}
