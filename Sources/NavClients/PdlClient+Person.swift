import Foundation

extension PdlClient {
    /// What the PDF shows of the employee.
    public struct PersonDetails: Sendable, Equatable {
        /// "fornavn [mellomnavn] etternavn", or nil when PDL has no usable name.
        public var name: String?
        /// "adressenavn husnummer+husbokstav postnummer poststed"; nil when the person's address is
        /// protected (any gradering but UGRADERT) or PDL has no road address.
        public var address: String?
    }

    static let personQuery = """
        query($ident: ID!) { hentPerson(ident: $ident) {
          adressebeskyttelse(historikk: false) { gradering }
          navn(historikk: false) { fornavn mellomnavn etternavn }
          bostedsadresse(historikk: false) { vegadresse { adressenavn husnummer husbokstav postnummer } }
        } }
        """

    static let postTownQuery = """
        query($paging: Paging, $criteria: [Criterion]) { sokAdresse(paging: $paging, criteria: $criteria) {
          hits { vegadresse { poststed } } } }
        """

    /// Name and address for the PDF (domain-reference.md 4.1); nil when PDL does not know the person.
    public func personDetails(_ identificationNumber: String) async throws -> PersonDetails? {
        guard case .found(let details) = try await person(identificationNumber) else { return nil }
        return details
    }

    /// Whether PDL knows the person, and what the PDF shows of them when it does. Any other
    /// error, a 5xx or an unreadable answer is an outage (retried); `unauthenticated`/`unauthorized`
    /// and 401/403 are ``NavAccessDenied``.
    public func person(_ identificationNumber: String) async throws -> PersonAnswer {
        struct Person: Decodable {
            struct Protection: Decodable { var gradering: String? }
            struct Name: Decodable {
                var fornavn: String?
                var mellomnavn: String?
                var etternavn: String?
            }
            struct Residence: Decodable {
                struct Road: Decodable {
                    var adressenavn: String?
                    var husnummer: String?
                    var husbokstav: String?
                    var postnummer: String?
                }
                var vegadresse: Road?
            }
            var adressebeskyttelse: [Protection]?
            var navn: [Name]?
            var bostedsadresse: [Residence]?
        }
        struct Data: Decodable { var hentPerson: Person? }
        let person: Person
        struct Variables: Encodable { var ident: String }
        switch try await graphQL(Self.personQuery, variables: Variables(ident: identificationNumber)) as GraphQLOutcome<Data> {
        case .data(let data):
            guard let found = data.hentPerson else { return .notFound }
            person = found
        case .notFound: return .notFound
        case .invalidIdentity: return .invalidIdentity
        }
        let name = person.navn?.first.flatMap { name -> String? in
            guard let first = name.fornavn, !first.isEmpty, let last = name.etternavn, !last.isEmpty else { return nil }
            return [first, name.mellomnavn, last].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        }
        // Protected as soon as one entry says anything but UGRADERT (an unknown grade included).
        let isProtected = (person.adressebeskyttelse ?? []).contains { ($0.gradering ?? "UGRADERT") != "UGRADERT" }
        var address: String?
        if !isProtected, let road = person.bostedsadresse?.first?.vegadresse,
            let postnummer = road.postnummer, !postnummer.isEmpty
        {
            let town = try await postTown(postnummer) ?? ""
            address = "\(road.adressenavn ?? "") \(road.husnummer ?? "")\(road.husbokstav ?? "") \(postnummer) \(town)"
                .trimmingCharacters(in: .whitespaces)
        }
        return .found(PersonDetails(name: name, address: address))
    }

    func postTown(_ postnummer: String) async throws -> String? {
        if let town = postTowns.town(of: postnummer) { return town }
        struct Data: Decodable {
            struct Search: Decodable {
                struct Hit: Decodable {
                    struct Road: Decodable { var poststed: String? }
                    var vegadresse: Road?
                }
                var hits: [Hit]?
            }
            var sokAdresse: Search?
        }
        /// NAV's `SokAdresseVariables` (navikt/lps-oppfolgingsplan-mottak `client/pdl/domain/PdlRequest.kt`).
        struct Variables: Encodable {
            struct Paging: Encodable { var pageNumber = 1, resultsPerPage = 1 }
            struct Criterion: Encodable {
                struct Rule: Encodable { var equals: String }
                var fieldName = "vegadresse.postnummer"
                var searchRule: Rule
            }
            var paging = Paging()
            var criteria: [Criterion]
        }
        let variables = Variables(criteria: [.init(searchRule: .init(equals: postnummer))])
        guard case .data(let data) = try await graphQL(Self.postTownQuery, variables: variables) as GraphQLOutcome<Data> else { return nil }
        let town = data.sokAdresse?.hits?.first?.vegadresse?.poststed
        if let town { postTowns.keep(town, for: postnummer) }
        return town
    }

    /// A GraphQL call, its answer classified by PDL's `errors[].extensions.code`
    /// (docs/contracts/pdl.md): `not_found` and `bad_request` are answers about the ident;
    /// `unauthenticated`/`unauthorized` (and HTTP 401/403) mean our access is wrong; anything
    /// else (`server_error`, no code, an unreadable body, a 5xx) is an outage.
    func graphQL<Result: Decodable, Variables: Encodable>(_ query: String, variables: Variables) async throws -> GraphQLOutcome<Result> {
        let body = try RequestBody.json(GraphQLRequest(query: query, variables: variables))
        let answer = try await exchange.post(
            await url.resolve(), body: body,
            headers: [
                ("Authorization", "Bearer \(try await tokens.token(scope: scope))"), ("Content-Type", "application/json"),
                ("behandlingsnummer", "B426"),
            ])
        try answer.checkAccess("pdl")
        guard answer.status == 200 else { throw DependencyUnavailable("pdl", "status \(answer.status)") }
        guard let response = try? JSONDecoder().decode(GraphQLResponse<Result>.self, from: answer.body) else {
            throw DependencyUnavailable("pdl", "an answer we cannot read")
        }
        let codes = (response.errors ?? []).map { $0.extensions?.code?.lowercased() ?? "" }
        if codes.isEmpty {
            guard let data = response.data else { throw DependencyUnavailable("pdl", "an answer without data or errors") }
            return .data(data)
        }
        if codes.contains(where: { $0 == "unauthenticated" }) { throw NavAccessDenied("pdl", status: 401) }
        if codes.contains(where: { $0 == "unauthorized" }) { throw NavAccessDenied("pdl", status: 403) }
        if codes.allSatisfy({ $0 == "not_found" }) { return .notFound }
        if codes.allSatisfy({ $0 == "not_found" || $0 == "bad_request" }) { return .invalidIdentity }
        throw DependencyUnavailable("pdl", "errors: \(codes.map { $0.isEmpty ? "(no code)" : $0 }.joined(separator: ", "))")
    }
}

/// A PDL GraphQL answer that is not an outage.
enum GraphQLOutcome<Result> {
    case data(Result)
    case notFound
    case invalidIdentity
}

/// A GraphQL request to PDL, as NAV's `PdlRequest` (`client/pdl/domain/PdlRequest.kt`).
struct GraphQLRequest<Variables: Encodable>: Encodable {
    var query: String
    var variables: Variables
}

/// PDL's GraphQL envelope.
struct GraphQLResponse<Result: Decodable>: Decodable {
    struct GraphQLError: Decodable {
        struct Extensions: Decodable {
            var code: String?
            var id: String?
            var classification: String?
        }
        var message: String?
        var extensions: Extensions?
    }
    var data: Result?
    var errors: [GraphQLError]?
}
