import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import LocalStandIns
import Maskinporten
import NIOCore
import Testing
import TokenVerification

/// The intake under abuse, through the whole HTTP stack: a set of forged and malformed tokens
/// and 10,000 random request bodies. Whatever comes in, the answer is an ApiError with the
/// status it names (never a 5xx), and only what was accepted is stored.
@Suite(.timeLimit(.minutes(5))) struct AbuseTests {
    // MARK: - Tokens

    /// Every way of forging or mangling a token we know of; each must be a 401 ApiError on
    /// both LPS routes and store nothing.
    static func attacks(_ issuer: LocalMaskinportenIssuer) throws -> [(String, String)] {
        let valid = try issuer.token(consumer: "123456789")
        let parts = valid.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let header = { (json: String) in Base64URL.encode(Data(json.utf8)) }
        let attacker = try LocalMaskinportenIssuer(issuer: issuer.issuer, keyID: issuer.keyID)
        let attackerJWKS = try JSONSerialization.jsonObject(with: attacker.jwksDocument()) as! [String: [[String: Any]]]
        let forgedPayload = Base64URL.encode(
            Data(
                #"{"consumer":{"authority":"iso6523-actorid-upis","ID":"0192:999999999"},"exp":9999999999,"iss":"\#(issuer.issuer)","scope":"nav:oppfolgingsplan/lps.write"}"#
                    .utf8))
        let hmac = HMAC<SHA256>.authenticationCode(
            for: Data("\(header(#"{"alg":"HS256","kid":"\#(issuer.keyID)"}"#)).\(parts[1])".utf8),
            using: SymmetricKey(data: try issuer.jwksDocument()))
        return [
            ("alg none, no signature", "\(header(#"{"alg":"none","typ":"JWT"}"#)).\(parts[1])."),
            ("alg none, signature kept", "\(header(#"{"alg":"none","typ":"JWT"}"#)).\(parts[1]).\(parts[2])"),
            ("alg None (case)", "\(header(#"{"alg":"None","kid":"\#(issuer.keyID)"}"#)).\(parts[1])."),
            (
                "HS256 with the public JWKS as secret",
                "\(header(#"{"alg":"HS256","kid":"\#(issuer.keyID)"}"#)).\(parts[1]).\(Base64URL.encode(Data(hmac)))"
            ),
            ("RS512 header on an RS256 signature", "\(header(#"{"alg":"RS512","kid":"\#(issuer.keyID)"}"#)).\(parts[1]).\(parts[2])"),
            ("ES256 header", "\(header(#"{"alg":"ES256","kid":"\#(issuer.keyID)"}"#)).\(parts[1]).\(parts[2])"),
            ("signed by another key under our kid", try attacker.token(consumer: "123456789")),
            ("attacker key embedded as jwk header", try attacker.token(consumer: "123456789", header: ["jwk": attackerJWKS["keys"]![0]])),
            ("attacker JWKS by jku header", try attacker.token(consumer: "123456789", header: ["jku": "http://127.0.0.1:1/jwks"])),
            ("kid path traversal", try issuer.token(consumer: "123456789", header: ["kid": "../../../../dev/null"])),
            ("kid SQL injection", try issuer.token(consumer: "123456789", header: ["kid": "x' OR '1'='1"])),
            ("kid of 10,000 characters", try issuer.token(consumer: "123456789", header: ["kid": String(repeating: "k", count: 10_000)])),
            ("payload swapped for another employer", "\(parts[0]).\(forgedPayload).\(parts[2])"),
            ("signature truncated", "\(parts[0]).\(parts[1]).\(parts[2].dropLast(10))"),
            ("signature empty", "\(parts[0]).\(parts[1])."),
            ("signature of zeros", "\(parts[0]).\(parts[1]).\(Base64URL.encode(Data(count: 256)))"),
            ("expired", try issuer.token(consumer: "123456789", issuedAt: Date().addingTimeInterval(-3600), lifetime: 60)),
            ("not valid yet", try issuer.token(consumer: "123456789", claims: ["nbf": Date().timeIntervalSince1970 + 3600])),
            ("exp as a string", try issuer.token(consumer: "123456789", claims: ["exp": "9999999999"])),
            ("no exp", try issuer.token(consumer: "123456789", claims: ["exp": NSNull()])),
            ("other issuer", try issuer.token(consumer: "123456789", claims: ["iss": "https://evil.example/"])),
            ("no scope", try issuer.token(consumer: "123456789", claims: ["scope": NSNull()])),
            ("scope as an array", try issuer.token(consumer: "123456789", claims: ["scope": ["nav:oppfolgingsplan/lps.write"]])),
            ("no consumer", try issuer.token(consumer: "123456789", claims: ["consumer": NSNull()])),
            (
                "consumer not an org number",
                try issuer.token(
                    consumer: "123456789",
                    claims: ["consumer": ["authority": "iso6523-actorid-upis", "ID": "0192:12345678'; DROP TABLE followup_plan;--"]])
            ),
            ("crit header we do not understand", try issuer.token(consumer: "123456789", header: ["crit": ["exp"], "exp": 1])),
            ("two segments", "\(parts[0]).\(parts[1])"),
            ("four segments", "\(valid).\(parts[2])"),
            ("not base64url", "\(parts[0])!.\(parts[1]).\(parts[2])"),
            ("header not JSON", "\(Base64URL.encode(Data("not json".utf8))).\(parts[1]).\(parts[2])"),
            ("payload of 200,000 characters", "\(parts[0]).\(Base64URL.encode(Data(repeating: 0x41, count: 150_000))).\(parts[2])"),
            ("control characters", "\(parts[0])\u{0001}.\(parts[1]).\(parts[2])"),
        ]
    }

    @Test func everyForgedOrMangledTokenIs401ApiErrorAndStoresNothing() async throws {
        try await IntakeTestApp.run { app in
            let attacks = try Self.attacks(app.issuer)
            #expect(attacks.count >= 30)
            // A real plan, for the status route: an attacker must not read it either.
            let stored = try SubmitAnswer(try await app.submit())
            for (name, token) in attacks {
                for (method, uri) in [(HTTPRequest.Method.post, "/api/v1/followupplan"), (.get, "/api/v1/followupplan/\(stored.uuid)/sendingstatus")]
                {
                    let response = try await app.client.execute(
                        uri: uri, method: method,
                        headers: [.contentType: "application/json", .authorization: "Bearer \(token)", HTTPField.Name("Prefer")!: "respond-async"],
                        body: method == .post ? ByteBuffer(bytes: PlanJSON.body()) : nil)
                    #expect(response.status == .unauthorized, "\(name), \(method) → \(response.status)")
                    let error = try? ApiErrorBody(response)
                    #expect(error?.status.value == 401 && error?.type == "AUTHENTICATION_ERROR", "\(name): \(String(buffer: response.body))")
                }
            }
            #expect(try await app.count("followup_plan") == 1, "only the real plan")
        }
    }

    // MARK: - Random bodies

    @Test func tenThousandRandomBodiesGetApiErrorsOrAreStoredNeverA5xx() async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["FUZZ_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max)
        let total = 10_000
        try await IntakeTestApp.run { app in
            let token = try app.token()
            let bodies = (0..<total).map { index in
                var generator = RandomBodies(seed: seed &+ UInt64(index))
                return generator.body()
            }
            let outcomes = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                var outcomes: [(Int, String?)] = []
                for (index, body) in bodies.enumerated() {
                    if index >= 8, let outcome = try await group.next() { outcomes.append(outcome) }
                    group.addTask {
                        let response = try await app.client.execute(
                            uri: "/api/v1/followupplan", method: .post,
                            headers: [
                                .contentType: "application/json", .authorization: "Bearer \(token)", HTTPField.Name("Prefer")!: "respond-async",
                            ],
                            body: ByteBuffer(bytes: body))
                        let status = response.status.code
                        if (200..<300).contains(status) { return (status, nil) }
                        guard let error = try? ApiErrorBody(response), error.status.value == status, !error.message.isEmpty else {
                            return (
                                status,
                                "not an ApiError naming \(status): \(String(buffer: response.body).prefix(300)) for \(String(decoding: body.prefix(300), as: UTF8.self))"
                            )
                        }
                        return (status, nil)
                    }
                }
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            let statuses = Dictionary(grouping: outcomes, by: \.0).mapValues(\.count)
            print("random bodies (seed \(seed), FUZZ_SEED=\(seed) repeats them): answers \(statuses.sorted { $0.key < $1.key })")
            #expect(outcomes.count == total)
            #expect(!statuses.keys.contains { $0 >= 500 }, "seed \(seed): \(statuses)")
            let problems = outcomes.compactMap(\.1)
            #expect(problems.isEmpty, "seed \(seed): \(problems.count) answers were not ApiErrors, e.g. \(problems.prefix(3))")
            let accepted = outcomes.filter { (200..<300).contains($0.0) }.count
            #expect(accepted > 0 && accepted < total / 2, "the generator should make mostly bad bodies and some good ones (\(accepted))")
            #expect(try await app.count("followup_plan") == accepted, "exactly the accepted bodies are stored")
        }
    }
}

/// Request bodies for the fuzz test: mostly a valid plan with a few fields mangled (wrong type,
/// hostile strings, missing, unknown), and sometimes not a plan at all (random bytes, truncated
/// JSON, deep nesting, other top-level values). Deterministic for a seed.
struct RandomBodies {
    private var state: UInt64

    init(seed: UInt64) { state = seed | 1 }

    /// xorshift64*: small, fast, reproducible across platforms.
    private mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 2_685_821_657_736_338_717
    }

    private mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func body() -> Data {
        switch below(20) {
        case 0: return Data((0..<below(2000)).map { _ in UInt8(truncatingIfNeeded: next()) })
        case 1:
            let plan = PlanJSON.body()
            return plan.prefix(below(plan.count))
        case 2: return Data((String(repeating: "[", count: 1 + below(5000)) + String(repeating: "]", count: below(5000))).utf8)
        case 3: return try! JSONSerialization.data(withJSONObject: [value(depth: 2)], options: [.fragmentsAllowed])
        default:
            var fields = PlanJSON.valid
            let names =
                Array(fields.keys).sorted() + [
                    "additionalInformation", "employeeHasNotContributedToPlanDescription", "messageToGeneralPractitioner", "lpsEmail",
                ]
            for _ in 0..<(1 + below(3)) {
                let name = names[below(names.count)]
                switch below(4) {
                case 0: fields[name] = nil
                case 1: fields["unknown\(below(100))"] = value(depth: 1)
                default: fields[name] = value(depth: 1)
                }
            }
            return try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
        }
    }

    private mutating func value(depth: Int) -> Any {
        switch below(depth > 0 ? 12 : 10) {
        case 0: return NSNull()
        case 1: return below(2) == 0
        case 2: return Int(truncatingIfNeeded: next())
        case 3: return Double(below(1_000_000)) / 7
        case 4: return string(length: below(40))
        case 5: return string(length: 4000 + below(20_000))
        case 6: return ["01019012345", "00000000000", "0101901234", "010190123456", "abcdefghijk", "31129912345"][below(6)]
        case 7: return ["2027-01-15", "2020-01-01", "2027-02-30", "15.01.2027", "2027-01-15T00:00:00Z", ""][below(6)]
        case 8: return ["", " ", "\u{0}", "<script>alert(1)</script>", "'; DROP TABLE followup_plan;--", "{{7*7}}", "\u{202E}evil", "😀"][below(8)]
        case 9: return string(length: 1 + below(5))
        case 10: return (0..<below(4)).map { _ in value(depth: depth - 1) }
        default: return Dictionary(uniqueKeysWithValues: (0..<below(3)).map { ("k\($0)", value(depth: depth - 1)) })
        }
    }

    /// Any Unicode scalars: control characters, NUL, non-Latin scripts, astral planes.
    private mutating func string(length: Int) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<length {
            let candidate: UInt32 =
                switch below(4) {
                case 0: UInt32(below(0x80))
                case 1: UInt32(below(0x800))
                case 2: UInt32(below(0x10000))
                default: UInt32(below(0x110000))
                }
            if let scalar = Unicode.Scalar(candidate) { scalars.append(scalar) }
        }
        return String(scalars)
    }
}
