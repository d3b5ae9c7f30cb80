import Foundation

/// The answer to a submission and to a status query: `FollowUpPlanResponse` of the contract.
public struct FollowUpPlanResponse: Sendable, Equatable, Codable {
    public var uuid: String
    public var isSentToGeneralPractitionerStatus: Bool
    public var isSentToNavStatus: Bool

    public init(uuid: String, isSentToGeneralPractitionerStatus: Bool, isSentToNavStatus: Bool) {
        self.uuid = uuid
        self.isSentToGeneralPractitionerStatus = isSentToGeneralPractitionerStatus
        self.isSentToNavStatus = isSentToNavStatus
    }
}

extension FollowUpPlanResponse {
    /// The contract's answer body: `{"uuid":…,"isSentToGeneralPractitionerStatus":…,"isSentToNavStatus":…}`.
    public var jsonBody: Data { Data(ContractJSONEncoder.document(self).utf8) }
}
