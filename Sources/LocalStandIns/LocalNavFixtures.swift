/// The people and employers the local stand-ins know, one for each path through the pipeline,
/// including the answer variants NAV's real APIs send (docs/contracts/). Identity numbers are
/// made up (11 digits, no real checksum); never use real ones here.
public enum LocalNavFixtures {
    /// What KRR (digdir-krr-proxy) holds for a person.
    public enum KrrEntry: Sendable {
        /// An active entry with phone and e-mail.
        case active
        /// `aktiv: false`: an entry without usable contact details.
        case inactive
        /// No entry: only `feil` with this code (`person_ikke_funnet`, `strengt_fortrolig_adresse`, …).
        case failure(String)
    }

    public struct Person: Sendable {
        public var identificationNumber: String
        /// Known to PDL.
        public var inPdl: Bool
        /// (legal entity, workplace) organisation numbers of the person's employments in Aareg.
        public var employments: [(legalEntity: String, workplace: String)]
        /// Has a GP (fastlege) that isdialogmelding can reach.
        public var hasGeneralPractitioner: Bool
        /// The sykmelding `mottak-dev` seeds, relative to today: days of fom and tom, at the workplace.
        public var sykmelding: (fomDaysFromToday: Int, tomDaysFromToday: Int)?
        /// PDL's `adressebeskyttelse.gradering`; anything but UGRADERT keeps the address out of the
        /// PDF. UGRADERT is sent as PDL usually does: an empty `adressebeskyttelse` list.
        public var addressProtection = "UGRADERT"
        /// PDL answers `bad_request` (`ugyldig_ident`) for the identity number.
        public var pdlRefusesIdentity = false
        public var krr = KrrEntry.active
        /// Aareg also lists an employment whose employer is a person (`type: "Person"`, no
        /// organisation number), and its organisation idents come without `gjeldende`.
        public var aaregPersonEmployer = false
        /// dokarkiv makes the journal post but cannot finish it (`journalpostferdigstilt: false`).
        public var dokarkivFinishes = true
        /// isdialogmelding answers 400 (plain text) for the person: it will never take the message.
        public var isdialogmeldingRefuses = false

        /// Whether istilgangskontroll lets an ordinary case worker see the person: not a person
        /// with a protected address (kode 6/7 needs a special role the local case workers lack).
        public var caseWorkersMayAccess: Bool { addressProtection == "UGRADERT" }
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

    /// Like `ready`, but PDL protects the address (strengt fortrolig): the PDF shows no address,
    /// and KRR has no entry for the person (`feil`: `strengt_fortrolig_adresse`); case workers
    /// may not see the person (istilgangskontroll says no).
    public static let protectedAddress = Person(
        identificationNumber: "06069012345", inPdl: true, employments: [(legalEntity, workplace)], hasGeneralPractitioner: true,
        sykmelding: (-10, 20), addressProtection: "STRENGT_FORTROLIG", krr: .failure("strengt_fortrolig_adresse"))

    /// Employed with an active sykmelding, but PDL refuses the identity number (`bad_request`,
    /// `ugyldig_ident`): EMPLOYEE_NOT_FOUND at once, never retried.
    public static let invalidIdentity = Person(
        identificationNumber: "07079012345", inPdl: true, employments: [(legalEntity, workplace)], hasGeneralPractitioner: true,
        sykmelding: (-10, 20), pdlRefusesIdentity: true)

    /// Delivered on both channels through the answers' variants: Aareg lists a person as one
    /// employer and leaves out `gjeldende`, KRR's entry is inactive (`aktiv: false`), dokarkiv
    /// cannot finish the journal post (`journalpostferdigstilt: false`, still a journal post).
    public static let variants = Person(
        identificationNumber: "08089012345", inPdl: true, employments: [(legalEntity, workplace)], hasGeneralPractitioner: true,
        sykmelding: (-10, 20), krr: .inactive, aaregPersonEmployer: true, dokarkivFinishes: false)

    /// isdialogmelding refuses the message (400): the GP channel fails for good, with no retries;
    /// KRR does not know the person (`feil`: `person_ikke_funnet`).
    public static let refusedByIsdialogmelding = Person(
        identificationNumber: "09099012345", inPdl: true, employments: [(legalEntity, workplace)], hasGeneralPractitioner: true,
        sykmelding: (-10, 20), krr: .failure("person_ikke_funnet"), isdialogmeldingRefuses: true)

    public static let all = [
        ready, withoutGeneralPractitioner, unknownToPdl, withoutEmployment, endedSykmelding, protectedAddress, invalidIdentity, variants,
        refusedByIsdialogmelding,
    ]

    public static func person(_ identificationNumber: String) -> Person? {
        all.first { $0.identificationNumber == identificationNumber }
    }
}
