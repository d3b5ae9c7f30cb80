import Foundation

extension FollowUpPlanDTO {
    /// The prefix of every body error: the contract's clients and tests match on it.
    static let bodyErrorPrefix = "Failed to convert request body"

    /// Reads a request body, or fails with a 400 `BAD_REQUEST` naming the first problem in
    /// the contract's field order: not JSON, not an object, a required field missing or null,
    /// a value of the wrong type, a date in none of the forms real clients send (``EvaluationDate``).
    public static func decode(from body: Data) throws(ApiError) -> FollowUpPlanDTO {
        do {
            return try JSONDecoder().decode(FollowUpPlanDTO.self, from: body)
        } catch let problem as FieldProblem {
            throw .badRequest("\(bodyErrorPrefix): \(problem.description)")
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.isEmpty {
            throw .badRequest("\(bodyErrorPrefix): the body must be a JSON object")
        } catch {
            throw .badRequest("\(bodyErrorPrefix): the body is not valid JSON")
        }
    }

    public init(from decoder: any Decoder) throws {
        let fields = Fields(container: try decoder.container(keyedBy: CodingKeys.self))
        employeeIdentificationNumber = try fields.string(.employeeIdentificationNumber)
        typicalWorkday = try fields.string(.typicalWorkday)
        tasksThatCanStillBeDone = try fields.string(.tasksThatCanStillBeDone)
        tasksThatCanNotBeDone = try fields.string(.tasksThatCanNotBeDone)
        previousFacilitation = try fields.string(.previousFacilitation)
        plannedFacilitation = try fields.string(.plannedFacilitation)
        otherFacilitationOptions = try fields.optional(.otherFacilitationOptions, String.self, "a string")
        followUp = try fields.string(.followUp)
        evaluationDate = try fields.date(.evaluationDate)
        sendPlanToNav = try fields.required(.sendPlanToNav, Bool.self, "a boolean")
        needsHelpFromNav = try fields.optional(.needsHelpFromNav, Bool.self, "a boolean")
        needsHelpFromNavDescription = try fields.optional(.needsHelpFromNavDescription, String.self, "a string")
        sendPlanToGeneralPractitioner = try fields.required(.sendPlanToGeneralPractitioner, Bool.self, "a boolean")
        messageToGeneralPractitioner = try fields.optional(.messageToGeneralPractitioner, String.self, "a string")
        additionalInformation = try fields.optional(.additionalInformation, String.self, "a string")
        contactPersonFullName = try fields.string(.contactPersonFullName)
        contactPersonPhoneNumber = try fields.string(.contactPersonPhoneNumber)
        contactPersonEmail = try fields.string(.contactPersonEmail)
        employeeHasContributedToPlan = try fields.required(.employeeHasContributedToPlan, Bool.self, "a boolean")
        employeeHasNotContributedToPlanDescription = try fields.optional(.employeeHasNotContributedToPlanDescription, String.self, "a string")
        lpsName = try fields.string(.lpsName)
        lpsEmail = try fields.optional(.lpsEmail, String.self, "a string")
    }
}

/// What is wrong with one field, worded for the caller.
struct FieldProblem: Error, CustomStringConvertible {
    let description: String
}

/// Reads fields with messages that name them, instead of `DecodingError`'s generic text.
private struct Fields {
    let container: KeyedDecodingContainer<FollowUpPlanDTO.CodingKeys>

    func string(_ key: FollowUpPlanDTO.CodingKeys) throws -> String {
        try required(key, String.self, "a string")
    }

    /// A date in any of ``EvaluationDate``'s forms: text, or an array `[year, month, day]`.
    func date(_ key: FollowUpPlanDTO.CodingKeys) throws -> CalendarDate {
        let problem = FieldProblem(description: "\(key.stringValue) must be \(EvaluationDate.acceptedForms)")
        guard container.contains(key) else { throw FieldProblem(description: "\(key.stringValue) is missing") }
        if (try? container.decodeNil(forKey: key)) == true { throw FieldProblem(description: "\(key.stringValue) must not be null") }
        if let text = try? container.decode(String.self, forKey: key) {
            guard let date = EvaluationDate.parse(text) else { throw problem }
            return date
        }
        guard let parts = try? container.decode([Int].self, forKey: key), let date = EvaluationDate.parse(parts) else { throw problem }
        return date
    }

    func required<T: Decodable>(_ key: FollowUpPlanDTO.CodingKeys, _ type: T.Type, _ kind: String) throws -> T {
        guard container.contains(key) else { throw FieldProblem(description: "\(key.stringValue) is missing") }
        guard let value = try optional(key, type, kind) else {
            throw FieldProblem(description: "\(key.stringValue) must not be null")
        }
        return value
    }

    func optional<T: Decodable>(_ key: FollowUpPlanDTO.CodingKeys, _ type: T.Type, _ kind: String) throws -> T? {
        let value: T?
        do {
            value = try container.decodeIfPresent(type, forKey: key)
        } catch DecodingError.typeMismatch {
            throw FieldProblem(description: "\(key.stringValue) must be \(kind)")
        }
        // JSON may carry U+0000 (`\u0000`); PostgreSQL text cannot store it, so it is refused
        // here, with the field's name, instead of failing the insert.
        if let text = value as? String, text.utf8.contains(0) {
            throw FieldProblem(description: "\(key.stringValue) must not contain the character U+0000")
        }
        return value
    }
}
