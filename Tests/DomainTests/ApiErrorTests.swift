import Domain
import Foundation
import Testing

@Suite(.timeLimit(.minutes(5))) struct ApiErrorTests {
    @Test func serializesAsThePublicContractDoes() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(ApiError.validation("Invalid employee identification number")), as: UTF8.self)
        #expect(
            json
                == #"{"message":"Invalid employee identification number","status":{"description":"Bad Request","value":400},"type":"VALIDATION_ERROR"}"#
        )
    }

    @Test func theFixedLookupErrorsCarryTheContractsStatusTypeAndMessage() {
        #expect(
            ApiError.noActiveEmployment
                == ApiError(status: 403, type: .noActiveEmployment, message: "No active employment relationship found for given orgnumber"))
        #expect(ApiError.noActiveSentSykmelding.status == .init(value: 403, description: "Forbidden"))
        #expect(ApiError.employeeNotFound.status == .init(value: 404, description: "Not Found"))
        #expect(ApiError.employeeNotFound.message == "Could not find requested person in our systems")
        #expect(ApiError.followUpPlanNotFound.message == "The follow-up plan with a given uuid was not found")
        #expect(ApiError.authentication("JWT is expired").status == .init(value: 401, description: "Unauthorized"))
    }

    @Test func anInternalErrorSaysNothingButTheCallID() {
        let error = ApiError.internalServerError(callID: "abc-123")
        #expect(error.status == .init(value: 500, description: "Internal Server Error"))
        #expect(error.message == "Internal server error (call id abc-123)")
    }

    @Test func theCatalogueKeepsTheContractsNamesInOrder() {
        #expect(
            ErrorType.allCases.map(\.rawValue) == [
                "AUTHENTICATION_ERROR", "VALIDATION_ERROR", "NOT_FOUND", "INTERNAL_SERVER_ERROR", "ILLEGAL_ARGUMENT",
                "BAD_REQUEST", "FOLLOWUP_PLAN_NOT_FOUND", "FORBIDDEN_ACCESS_VEILEDER", "GENERAL_PRACTITIONER_NOT_FOUND",
                "EMPLOYEE_NOT_FOUND", "NO_ACTIVE_SENT_SYKMELDING", "NO_ACTIVE_EMPLOYMENT",
            ])
    }
}
