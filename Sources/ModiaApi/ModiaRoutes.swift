import ApiSupport
import AuditLog
import AzureAD
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NavClients
import PostgresNIO
import Storage

/// `GET /api/internad/v1/oppfolgingsplan/lps` (the person in `nav-personident`) and
/// `GET /api/internad/v1/oppfolgingsplan/lps/{uuid}` (the PDF), for a case worker whose Azure
/// AD token the group's ``ApiSupport/AzureADAuthMiddleware`` verified.
///
/// Nothing is shown without istilgangskontroll's yes for the person (for a PDF: the plan's own
/// person), and nothing is shown that the audit log did not take. Every request that named a
/// well-formed person or plan leaves one audit record, shown or not.
public struct ModiaRoutes: Sendable {
    let store: CaseWorkerPlanStore
    let access: IstilgangskontrollClient
    let audit: any AuditTrail
    /// The whole access check (token exchange and question), and each database read, is cut
    /// off here: Modia's page waits for us.
    let timeout: Duration

    public init(store: CaseWorkerPlanStore, access: IstilgangskontrollClient, audit: any AuditTrail, timeout: Duration = .seconds(8)) {
        self.store = store
        self.access = access
        self.audit = audit
        self.timeout = timeout
    }

    /// Registers both routes on `group`, which must authenticate with Azure AD.
    public func register(on group: RouterGroup<ApiRequestContext>) {
        group.get(RouterPath(ModiaApi.plansPath)) { request, context in
            try await plans(person: request.headers[HTTPField.Name("nav-personident")!], context: context)
        }
        group.get(RouterPath(ModiaApi.pdfPath)) { _, context in
            try await pdf(context.parameters.get("uuid") ?? "", context: context)
        }
    }

    func plans(person header: String?, context: ApiRequestContext) async throws -> Response {
        let staff = try context.requireStaff()
        guard let person = header, !person.isEmpty else { throw ApiError.personIdentMissing }
        guard Self.isIdentityNumber(person) else { throw ApiError.personIdentMalformed }
        let trail = Trail(audit: audit, staff: staff, path: ModiaApi.plansPath, context: context)
        try await checkAccess(to: person, staff: staff, trail: trail)
        let plans: [ModiaPlanSummary]
        do {
            plans = try await read { [store] in try await store.plans(of: person) }
        } catch let error as ApiError {
            await trail.note(person: person, .permit, "nothing shown: the database is unavailable")
            throw error
        }
        try await trail.showing(person: person, "listed \(plans.count) follow-up plan(s)")
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: ContractJSONEncoder.document(plans))))
    }

    func pdf(_ text: String, context: ApiRequestContext) async throws -> Response {
        let staff = try context.requireStaff()
        guard let uuid = UUID(uuidString: text) else { throw ApiError.invalidUUID(text) }
        let trail = Trail(audit: audit, staff: staff, path: "\(ModiaApi.plansPath)/\(uuid.lowercasedString)", context: context)
        let found: (person: String, pdf: ByteBuffer)?
        do {
            found = try await read { [store] in try await store.pdf(of: uuid) }
        } catch let error as ApiError {
            await trail.note(person: nil, .deny, "nothing shown: the database is unavailable")
            throw error
        }
        guard let found else {
            await trail.note(person: nil, .deny, "no follow-up plan to NAV with a PDF has this uuid")
            throw ApiError.caseWorkerPlanNotFound
        }
        try await checkAccess(to: found.person, staff: staff, trail: trail)
        try await trail.showing(person: found.person, "opened the PDF of follow-up plan \(uuid.lowercasedString)")
        return Response(
            status: .ok, headers: [.contentType: "application/pdf", .cacheControl: "no-store"], body: ResponseBody(byteBuffer: found.pdf))
    }

    /// Returns when istilgangskontroll said yes; otherwise records the refusal and throws the answer.
    private func checkAccess(to person: String, staff: NavStaffToken, trail: Trail) async throws {
        let allowed: Bool
        do {
            allowed = try await withTimeout(timeout) { [access, callID = trail.callID] in
                try await access.mayAccess(person: person, staffToken: staff.encoded, callID: callID)
            }
        } catch {
            trail.logger.error("cannot check a case worker's access", metadata: ["error": "\(error)"])
            await trail.note(person: person, .deny, "nothing shown: istilgangskontroll is unavailable")
            throw ApiError.accessCheckUnavailable
        }
        guard allowed else {
            await trail.note(person: person, .deny, "istilgangskontroll denied access to the person")
            throw ApiError.caseWorkerForbidden
        }
    }

    /// A database read with the routes' time limit; an unreachable or silent database is a 503.
    private func read<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await withTimeout(timeout, operation: operation)
        } catch let error as PSQLError where error.serverInfo == nil {
            throw ApiError.caseWorkerPlansUnavailable
        } catch is TimeoutError {
            throw ApiError.caseWorkerPlansUnavailable
        }
    }

    /// 11 digits: what the original's `PersonIdent` requires.
    static func isIdentityNumber(_ text: String) -> Bool {
        text.utf8.count == 11 && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}

/// One request's audit records: who asks, through which route, under which call id.
struct Trail: Sendable {
    let audit: any AuditTrail
    let staff: NavStaffToken
    let path: String
    let callID: String
    let logger: Logger

    init(audit: any AuditTrail, staff: NavStaffToken, path: String, context: ApiRequestContext) {
        self.audit = audit
        self.staff = staff
        self.path = path
        self.callID = context.callID
        self.logger = context.logger
    }

    /// Records that `person`'s data is about to be shown; when the audit log does not take the
    /// record, nothing is shown (a 503).
    func showing(person: String, _ message: String) async throws {
        do {
            try await audit.record(record(person: person, .permit, message))
        } catch {
            // The trail logged why (with its address); the answer says what it means.
            throw ApiError.auditLogUnavailable
        }
    }

    /// Records a request that shows nothing (refused, or failed); the answer is the same
    /// whether or not the audit log took it.
    func note(person: String?, _ decision: AuditRecord.Decision, _ message: String) async {
        try? await audit.record(record(person: person, decision, message))
    }

    private func record(person: String?, _ decision: AuditRecord.Decision, _ message: String) -> AuditRecord {
        AuditRecord(navIdent: staff.navIdent, person: person, decision: decision, method: "GET", path: path, callID: callID, message: message)
    }
}
