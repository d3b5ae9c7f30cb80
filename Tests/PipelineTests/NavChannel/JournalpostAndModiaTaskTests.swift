import Domain
import Foundation
import KafkaMock
import LocalStandIns
import NavClients
import PlanPdf
import PlanStatusRecords
import PostgresNIO
import Storage
import TestSupport
import Testing

@testable import NavChannel

/// A plan that needs a Modia task has one record for its journal post and its task, written
/// with the channel's SENT: dokarkiv's idempotency (409 with the post it made, per plan uuid)
/// covers a delivery that ends between the post and that record.
@Suite(.timeLimit(.minutes(5))) struct JournalpostAndModiaTaskTests {
    @Test func aDeliveryThatEndedBeforeItsRecordFindsTheSameJournalPostOnItsRedelivery() async throws {
        let bed = try PipelineKafka(topics: [EventTopics.local.modiaTask])
        try await LookupTests.withLookup { lookup in
            let plan = try await LookupRoleTests.storePlan(LocalNavFixtures.ready, lookup.postgres, needsHelpFromNav: true)
            // The record cannot be written: the journal post and the task are made, their record is not.
            try await lookup.postgres.query(
                """
                CREATE FUNCTION refuse_record() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'the record is refused'; END $$
                """, logger: TestServices.logger)
            try await lookup.postgres.query(
                "CREATE TRIGGER refuse BEFORE INSERT ON processed_step FOR EACH ROW EXECUTE FUNCTION refuse_record()", logger: TestServices.logger)
            let stored = try #require(try await PlanPdfStore(postgres: lookup.postgres, logger: TestServices.logger).plan(plan.uuid))
            await #expect(throws: PSQLError.self) {
                _ = try await Self.handler(lookup, bed).journalpostAndModiaTask(stored, frontDoor: .http)
            }
            try await lookup.postgres.query("DROP TRIGGER refuse ON processed_step", logger: TestServices.logger)

            // The redelivery, in another process (nothing remembered in memory).
            let journalpostID = try await Self.handler(lookup, bed).journalpostAndModiaTask(stored, frontDoor: .http)
            #expect(lookup.nav.requests(to: .dokarkiv).map(\.status) == [201, 409], "posted again, and dokarkiv knew the post")
            #expect(try await Self.navJournalpost(plan.uuid, lookup.postgres) == journalpostID)
            #expect(journalpostID != nil)
            #expect(try await Self.steps(plan.uuid, lookup.postgres) == ["modia"], "one record for both effects")
            #expect(try await PipelineDatabase.status(plan.uuid, lookup.postgres)?.nav == "SENT")

            // Recorded now: a third delivery does nothing.
            let reread = try #require(try await PlanPdfStore(postgres: lookup.postgres, logger: TestServices.logger).plan(plan.uuid))
            #expect(try await Self.handler(lookup, bed).journalpostAndModiaTask(reread, frontDoor: .http) == journalpostID)
            #expect(lookup.nav.requests(to: .dokarkiv).count == 2)
            let tasks = try await bed.everything(on: EventTopics.local.modiaTask, atLeast: 2)
            #expect(tasks.count == 2, "the task of the delivery whose record was lost, and the redelivery's")
        }
    }

    /// A version before this one recorded the journal post on its own: it is not posted again.
    @Test func aJournalPostAnOlderVersionRecordedIsNotPostedAgain() async throws {
        let bed = try PipelineKafka(topics: [EventTopics.local.modiaTask])
        try await LookupTests.withLookup { lookup in
            let plan = try await LookupRoleTests.storePlan(LocalNavFixtures.ready, lookup.postgres, needsHelpFromNav: true)
            _ = try await ProcessedSteps(postgres: lookup.postgres, logger: TestServices.logger)
                .record("dokarkiv", for: plan.uuid, result: #"{"journalpostId":"older-453"}"#)
            let stored = try #require(try await PlanPdfStore(postgres: lookup.postgres, logger: TestServices.logger).plan(plan.uuid))
            #expect(try await Self.handler(lookup, bed).journalpostAndModiaTask(stored, frontDoor: .http) == "older-453")
            #expect(lookup.nav.requests(to: .dokarkiv).isEmpty)
            #expect(try await Self.navJournalpost(plan.uuid, lookup.postgres) == "older-453")
            #expect(try await Self.steps(plan.uuid, lookup.postgres) == ["dokarkiv", "modia"])
            #expect(try await bed.everything(on: EventTopics.local.modiaTask, atLeast: 1).count == 1)
        }
    }

    static func handler(_ lookup: LookupTests.Fixture, _ bed: PipelineKafka) -> NavChannelHandler {
        let plans = PlanPdfStore(postgres: lookup.postgres, logger: TestServices.logger)
        return NavChannelHandler(
            plans: plans, steps: ProcessedSteps(postgres: lookup.postgres, logger: TestServices.logger),
            statuses: StatusTransitions(postgres: lookup.postgres, topics: .local, logger: TestServices.logger),
            pdfs: LookupRoleTests.pdfBuilder(lookup),
            ereg: EregClient(baseURL: EndpointURL { await lookup.nav.baseURL(.ereg) }, scope: "ereg", appName: "test", tokens: lookup.tokens),
            dokarkiv: DokarkivClient(baseURL: EndpointURL { await lookup.nav.baseURL(.dokarkiv) }, scope: "dokarkiv", tokens: lookup.tokens),
            producer: bed.producer, topics: .local, logger: TestServices.logger)
    }

    static func navJournalpost(_ uuid: UUID, _ postgres: PostgresClient) async throws -> String? {
        let rows = try await postgres.query("SELECT nav_journalpost_id FROM plan_status WHERE plan_uuid = \(uuid)", logger: TestServices.logger)
        for try await id in rows.decode(String?.self) { return id }
        return nil
    }

    static func steps(_ uuid: UUID, _ postgres: PostgresClient) async throws -> [String] {
        let rows = try await postgres.query(
            "SELECT step FROM processed_step WHERE plan_uuid = \(uuid) ORDER BY step", logger: TestServices.logger)
        var steps: [String] = []
        for try await step in rows.decode(String.self) { steps.append(step) }
        return steps
    }
}
