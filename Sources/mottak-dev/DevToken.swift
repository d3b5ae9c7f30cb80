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

/// `mottak-dev token`: a token of a local issuer that `mottak-dev` accepts: an LPS's
/// Maskinporten token (`--org`), or a NAV case worker's Azure AD token (`--veileder`).
struct DevToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Print a token signed by a local issuer of `mottak-dev`: Maskinporten for an LPS (--org), Azure AD for a case worker (--veileder).")

    @Option(help: "The employer's organisation number (the Maskinporten token's consumer claim).")
    var org: String?

    @Option(help: "A case worker's NAV ident (e.g. Z990000): an Azure AD token for the Modia routes instead.")
    var veileder: String?

    @Option(help: "The LPS's organisation number when it acts for the employer (the supplier claim).")
    var supplier: String?

    @Option(help: "Space-separated scopes.")
    var scope = "nav:oppfolgingsplan/lps.write"

    @Option(help: "Lifetime in seconds.")
    var lifetime = 3600

    func validate() throws {
        guard (org == nil) != (veileder == nil) else { throw ValidationError("give either --org (an LPS's token) or --veileder (a case worker's)") }
        if let veileder, veileder.count != 7 || !(veileder.first?.isUppercase ?? false) || !veileder.dropFirst().allSatisfy(\.isNumber) {
            throw ValidationError("--veileder must be a NAV ident: a capital letter and six digits (Z990000), not '\(veileder)'")
        }
        for (name, value) in [("--org", org), ("--supplier", supplier)] {
            if let value, value.count != 9 || !value.allSatisfy(\.isASCII) || !value.allSatisfy(\.isNumber) {
                throw ValidationError("\(name) must be a 9-digit organisation number, not '\(value)'")
            }
        }
    }

    func run() async throws {
        if let veileder {
            let issuer = try LocalAzureADIssuer(keyFile: DevStack.devAzureADKeyFile)
            print(try issuer.token(navIdent: veileder, lifetime: TimeInterval(lifetime)))
        } else if let org {
            let issuer = try LocalMaskinportenIssuer(keyFile: DevStack.devIssuerKeyFile)
            print(try issuer.token(consumer: org, supplier: supplier, scope: scope, lifetime: TimeInterval(lifetime)))
        }
    }
}
