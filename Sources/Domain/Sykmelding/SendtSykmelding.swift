/// A sykmelding (sick-leave note) the employee sent to an employer, as far as the intake needs
/// it: who, which employer (organisation number of the sub-unit), and the sick-leave periods.
public struct SendtSykmelding: Sendable, Equatable {
    public struct Period: Sendable, Equatable {
        public var fom: CalendarDate
        public var tom: CalendarDate

        public init(fom: CalendarDate, tom: CalendarDate) {
            self.fom = fom
            self.tom = tom
        }
    }

    public var sykmeldingID: String
    public var employeeIdentificationNumber: String
    public var organizationNumber: String
    public var periods: [Period]

    public init(sykmeldingID: String, employeeIdentificationNumber: String, organizationNumber: String, periods: [Period]) {
        self.sykmeldingID = sykmeldingID
        self.employeeIdentificationNumber = employeeIdentificationNumber
        self.organizationNumber = organizationNumber
        self.periods = periods
    }

    /// Days after `tom` during which a period still counts as active (domain-reference.md 4.3:
    /// today ∈ [fom, tom + 15 days]). A period whose `tom` lies further back can never be
    /// active again: it is neither stored nor kept.
    public static let graceDays = 15
}
