import Domain
import NavClients
import Storage

/// The three checks of a plan's employee against the employer in the token, in order; the
/// first failure is the verdict. Outages throw (``DependencyUnavailable``), and so does a refused
/// access (``NavAccessDenied``); neither ever decides.
public struct LookupChecks: Sendable {
    let aareg: AaregClient
    let sykmeldinger: ActiveSykmeldinger
    let pdl: PdlClient

    public init(aareg: AaregClient, sykmeldinger: ActiveSykmeldinger, pdl: PdlClient) {
        self.aareg = aareg
        self.sykmeldinger = sykmeldinger
        self.pdl = pdl
    }

    /// Nil when the plan may go on; else the rejection the caller gets.
    public func verdict(employee: String, employer: String, today: CalendarDate? = nil, activeSykmeldingAt: Set<String>? = nil) async throws
        -> ApiError?
    {
        try await outcome(employee: employee, employer: employer, today: today, activeSykmeldingAt: activeSykmeldingAt).rejection
    }

    /// The verdict, and for a verified plan what PDL said of the employee: the plan's PDF shows
    /// it, so the PDF needs no call to PDL of its own.
    public func outcome(employee: String, employer: String, today: CalendarDate? = nil, activeSykmeldingAt: Set<String>? = nil) async throws
        -> (rejection: ApiError?, person: PdlClient.PersonDetails?)
    {
        // 7. An employment whose legal entity or workplace is the token's organisation. Both
        // numbers of every such employment count for the sykmelding check.
        let matching = try await aareg.arbeidsforhold(of: employee).filter { $0.legalEntity == employer || $0.workplace == employer }
        guard !matching.isEmpty else { return (.noActiveEmployment, nil) }
        let organizations = Set(matching.flatMap { [$0.legalEntity, $0.workplace].compactMap { $0 } })

        // 8. An active sykmelding sent to one of those organisations.
        let active: Set<String>
        if let activeSykmeldingAt {
            active = activeSykmeldingAt
        } else {
            active = try await sykmeldinger.organizations(employee: employee, today: today)
        }
        guard !active.isDisjoint(with: organizations) else { return (.noActiveSentSykmelding, nil) }

        // 9. The person exists. An identity number PDL refuses as invalid (`bad_request`) is the
        // same verdict for the caller: no such person; it is never retried.
        switch try await pdl.person(employee) {
        case .found(let person): return (nil, person)
        case .notFound, .invalidIdentity: return (.employeeNotFound, nil)
        }
    }
}
