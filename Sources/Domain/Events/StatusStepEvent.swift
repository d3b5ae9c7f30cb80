import Foundation

/// What a role reports about a plan on `followupplan.status` (key: the plan uuid). The status
/// updater, the only writer of the status table after the intake, turns these into states.
public struct StatusStepEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// The lookup found employment, an active sykmelding and the person: on to delivery.
        case verified = "VERIFIED"
        /// The lookup refused the plan (`error`: NO_ACTIVE_EMPLOYMENT, …).
        case rejected = "REJECTED"
        /// `channel` delivered the plan (`journalpostId` for NAV).
        case channelSent = "CHANNEL_SENT"
        /// `channel` gave up for good (`error`), for example the GP is unknown.
        case channelFailed = "CHANNEL_FAILED"
        /// `channel` failed for a transient reason and will try again (counts attempts).
        case channelRetrying = "CHANNEL_RETRYING"
        /// The step of `channel` (or the lookup's, when nil) waits for a NAV API that is down
        /// (its message is parked): the status says so until that step moves on.
        case waiting = "WAITING"
        /// The plan cannot be processed at all (`error`), for example its message was dead-lettered.
        case failed = "FAILED"
        /// An operator re-drove the plan's dead letter: the failure is undone so that processing
        /// can finish (`channel` when the letter was a channel's, nil when it was the lookup's).
        case reopened = "REOPENED"
    }

    /// The type and message of an ``ApiError``; the HTTP status follows from the type.
    public struct Problem: Sendable, Equatable, Codable {
        public var type: ErrorType
        public var message: String

        public init(type: ErrorType, message: String) {
            self.type = type
            self.message = message
        }

        public init(_ error: ApiError) {
            self.init(type: error.type, message: error.message)
        }
    }

    public var version: Int = 1
    public var uuid: UUID
    public var kind: Kind
    public var channel: DeliveryChannel?
    public var journalpostID: String?
    public var error: Problem?

    public init(uuid: UUID, kind: Kind, channel: DeliveryChannel? = nil, journalpostID: String? = nil, error: Problem? = nil) {
        self.uuid = uuid
        self.kind = kind
        self.channel = channel
        self.journalpostID = journalpostID
        self.error = error
    }

    /// The error types a plan or channel can end with (the status table's CHECK lists them).
    public static let storableErrorTypes: Set<ErrorType> = [
        .validationError, .noActiveEmployment, .noActiveSentSykmelding, .employeeNotFound, .generalPractitionerNotFound,
        .internalServerError,
    ]

    /// Why an event cannot be applied, whatever the state of its plan; nil when it is whole.
    public var malformation: String? {
        if version != 1 { return "version \(version) is not known" }
        if let error, !Self.storableErrorTypes.contains(error.type) { return "\(error.type.rawValue) is not an outcome of a plan" }
        return switch kind {
        case .verified, .reopened, .waiting: nil
        case .rejected, .failed: error == nil ? "\(kind.rawValue) needs an error" : nil
        case .channelSent, .channelRetrying: channel == nil ? "\(kind.rawValue) needs a channel" : nil
        case .channelFailed: channel == nil || error == nil ? "CHANNEL_FAILED needs a channel and an error" : nil
        }
    }

    enum CodingKeys: String, CodingKey {
        case version, uuid, kind, channel
        case journalpostID = "journalpostId"
        case error
    }
}
