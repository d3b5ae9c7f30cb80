import Foundation
import HTTPTypes
import HummingbirdTesting
import MottakApp
import NIOCore
import TestSupport
import Testing

/// One LPS's burst cannot take a replica from the others: past its limit of requests at work,
/// a request is answered 503 at once (nothing stored); others' requests, and its own once one
/// ends, go through.
@Suite(.timeLimit(.minutes(5))) struct OrganisationConcurrencyLimitTests {
    @Test func requestsPastTheLimitOfOneLpsAre503AndOtherLpsesAreNotHeldUp() async throws {
        let limitOfTwo: @Sendable (inout AppConfiguration) -> Void = { $0.maximumConcurrentRequestsPerOrganisation = 2 }
        try await IntakeTestApp.run(submissionWait: .seconds(15), configure: limitOfTwo) { app in
            let busy = try app.token(supplier: "222222222")
            // Two waiting submissions (no pipeline answers them: each waits its 15 s once its
            // plan is stored) fill the limit; both stored means both are at work.
            let waiting = (0..<2).map { _ in Task { try await app.submit(token: busy, waiting: true) } }
            try await eventually("both waiting submissions stored", timeout: .seconds(10)) { try await app.count("followup_plan") == 2 }

            let refused = try await app.submit(token: busy)
            #expect(refused.status == .serviceUnavailable)
            #expect(String(buffer: refused.body).contains("2 requests in progress"))
            let other = try await app.submit(token: try app.token(supplier: "333333333"))
            #expect(other.status == .accepted, "another LPS is not held up")

            for task in waiting { #expect(try await task.value.status == .accepted) }
            #expect(try await app.submit(token: busy).status == .accepted, "its own request once the others ended")
            #expect(try await app.count("followup_plan") == 4, "the refused one stored nothing")
        }
    }
}
