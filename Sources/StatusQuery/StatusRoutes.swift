import ApiSupport
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Maskinporten
import NIOCore
import PlanStatusRecords
import PostgresNIO
import Storage

/// `GET /api/v1/followupplan/{uuid}/sendingstatus`: the public fields of the contract plus the
/// status model's detail (``PlanStatusDocument``).
public struct StatusRoutes: Sendable {
    let reader: PlanStatusReader
    /// As the intake's: a prompt 503 beats a request queued for a minute while PostgreSQL is away.
    let readTimeout: Duration

    public init(reader: PlanStatusReader, readTimeout: Duration = .seconds(5)) {
        self.reader = reader
        self.readTimeout = readTimeout
    }

    /// Registers the route on `group`, which must already authenticate (LPS routes).
    public func register(on group: RouterGroup<ApiRequestContext>) {
        group.get("/api/v1/followupplan/{uuid}/sendingstatus") { _, context in
            try await status(context.parameters.get("uuid") ?? "", context: context)
        }
    }

    func status(_ text: String, context: ApiRequestContext) async throws -> Response {
        let token = try context.requireToken()
        guard let uuid = UUID(uuidString: text) else { throw ApiError.invalidUUID(text) }
        let record: PlanStatusRecord?
        do {
            record = try await withTimeout(readTimeout) { [reader] in try await reader.read(uuid) }
        } catch let error as PSQLError where error.serverInfo == nil {
            context.logger.error("cannot reach PostgreSQL", metadata: ["error": "\(LoggedError.text(error))"])
            throw ApiError.statusUnavailable
        } catch is TimeoutError {
            context.logger.error("PostgreSQL did not answer in time")
            throw ApiError.statusUnavailable
        }
        // Another organisation's plan is answered exactly like one that does not exist.
        guard let record, record.employerOrgNumber == token.employerOrgNumber else { throw ApiError.followUpPlanNotFound }
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: PlanStatusDocument(record).jsonBody)))
    }
}
