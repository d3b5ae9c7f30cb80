/// The people and employers the local stand-ins know, one for each path through the pipeline.
/// Identity numbers are made up (11 digits, no real checksum); never use real ones here.
public enum LocalNavFixtures {
    public struct Person: Sendable {
        public var identificationNumber: String
        /// Known to PDL.
        public var inPdl: Bool
        /// (legal entity, workplace) organisation numbers of the person's employments in Aareg.
        public var employments: [(legalEntity: String, workplace: String)]
        /// Has a GP (fastlege) that isdialogmelding can reach.
        public var hasGeneralPractitioner: Bool
        /// The sykmelding `mottak dev` seeds, relative to today: days of fom and tom, at the workplace.
        public var sykmelding: (fomDaysFromToday: Int, tomDaysFromToday: Int)?
        /// PDL's `adressebeskyttelse.gradering`; anything but UGRADERT keeps the address out of the PDF.
        public var addressProtection = "UGRADERT"
    }

    /// The legal entity (hovedenhet) and its sub-unit (underenhet) of the fixture employer.
    public static let legalEntity = "923456789"
    public static let workplace = "123456789"

    /// Active sykmelding and a GP: every check passes, both channels deliver.
    public static let ready = Person(
        identificationNumber: "01019012345", inPdl: true, employments: [(legalEntity, workplace)], hasGeneralPractitioner: true,
        sykmelding: (-10, 20))
    /// Active sykmelding, no GP: the GP channel fails with GENERAL_PRACTITIONER_NOT_FOUND.
    public static let withoutGeneralPractitioner = Person(
        identificationNumber: "02029012345", inPdl: true, employments: [(legalEntity, workplace)], hasGeneralPractitioner: false,
        sykmelding: (-10, 20))
    /// Employed, sykmelding active, but unknown to PDL: EMPLOYEE_NOT_FOUND.
    public static let unknownToPdl = Person(
        identificationNumber: "03039012345", inPdl: false, employments: [(legalEntity, workplace)], hasGeneralPractitioner: true,
        sykmelding: (-10, 20))
    /// No employment anywhere: NO_ACTIVE_EMPLOYMENT.
    public static let withoutEmployment = Person(
        identificationNumber: "04049012345", inPdl: true, employments: [], hasGeneralPractitioner: true, sykmelding: nil)
    /// Employed, but the sykmelding ended more than 15 days ago: NO_ACTIVE_SENT_SYKMELDING.
    public static let endedSykmelding = Person(
        identificationNumber: "05059012345", inPdl: true, employments: [(legalEntity, workplace)], hasGeneralPractitioner: true,
        sykmelding: (-60, -16))

    /// Like `ready`, but PDL protects the address (strengt fortrolig): the PDF shows no address.
    public static let protectedAddress = Person(
        identificationNumber: "06069012345", inPdl: true, employments: [(legalEntity, workplace)], hasGeneralPractitioner: true,
        sykmelding: (-10, 20), addressProtection: "STRENGT_FORTROLIG")

    public static let all = [ready, withoutGeneralPractitioner, unknownToPdl, withoutEmployment, endedSykmelding, protectedAddress]

    public static func person(_ identificationNumber: String) -> Person? {
        all.first { $0.identificationNumber == identificationNumber }
    }
}
