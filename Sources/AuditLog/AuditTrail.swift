/// Where the case workers' routes write their ``AuditRecord``s. Never the application log:
/// NAIS sends that to people who may not see who looked at whom (NAIS's logging guide).
public protocol AuditTrail: Sendable {
    /// Writes `record`, or throws ``AuditLogUnavailable`` when it could not be handed on; a
    /// route then shows nothing (an access that cannot be recorded does not happen).
    func record(_ record: AuditRecord) async throws
}

/// The audit log could not take a record.
public struct AuditLogUnavailable: Error, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "the audit log is unavailable: \(reason)" }
}
