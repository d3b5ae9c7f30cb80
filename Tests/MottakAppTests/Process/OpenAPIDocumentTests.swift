import Domain
import Foundation
import Hummingbird
import Logging
import OpenAPIKit30
import Storage
import Synchronization
import TestSupport
import Testing
import Yams

@testable import MottakApp

/// `Resources/openapi.yaml`, the spec `/openapi.yaml` serves as it is: a valid OpenAPI document
/// by a real parser (OpenAPIKit), with exactly the API routes the code serves, every status and
/// header the code answers with, an example of every error answer, and request examples the
/// intake accepts.
@Suite(.timeLimit(.minutes(5))) struct OpenAPIDocumentTests {
    static func spec(_ name: String = "openapi.yaml") throws -> String {
        String(decoding: try #require(try StaticAssets.bundled()[name]).bytes, as: UTF8.self)
    }

    static func tree(_ name: String = "openapi.yaml") throws -> [String: Any] {
        try #require(try Yams.load(yaml: spec(name)) as? [String: Any])
    }

    @Test func theSpecIsAValidOpenAPIDocument() throws {
        let document = try YAMLDecoder().decode(OpenAPI.Document.self, from: try Self.spec())
        try document.validate()
        #expect(document.paths.count == 3)
        let modia = try YAMLDecoder().decode(OpenAPI.Document.self, from: try Self.spec("openapi-modia.yaml"))
        try modia.validate()
        #expect(modia.paths.count == 2)
    }

    /// The case workers' document: exactly its two routes, with every status they answer.
    @Test func theModiaDocumentHasTheCaseWorkersRoutesAndTheirAnswers() throws {
        let tree = try Self.tree("openapi-modia.yaml")
        let expected: [String: Set<String>] = [
            "get /api/internad/v1/oppfolgingsplan/lps": ["200", "400", "401", "403", "500", "503"],
            "get /api/internad/v1/oppfolgingsplan/lps/{uuid}": ["200", "400", "401", "403", "404", "500", "503"],
        ]
        for (operation, statuses) in expected {
            #expect(Set(try Self.responses(operation, tree).keys) == statuses, "\(operation)")
        }
    }

    @Test func everyAPIRouteTheCodeServesIsInTheSpecAndBack() throws {
        let routes = Mutex<[String]>([])
        var configuration = HealthEndpointTests.configuration(
            database: DatabaseConfiguration(host: "127.0.0.1", port: 1, username: "nobody", password: nil, database: "none"), kafka: "127.0.0.1:1")
        configuration.migrateOnStart = false
        _ = try MottakApplication.build(
            configuration: configuration, roles: [.intake, .statusQuery],
            devRoutes: { router in routes.withLock { $0 = router.routes.map { "\($0.method) \($0.path)" } } }, logger: TestServices.logger)
        let served = Set(routes.withLock { $0 }.filter { $0.contains(" /api/") })
        func specified(_ name: String) throws -> Set<String> {
            let paths = try #require(try Self.tree(name)["paths"] as? [String: [String: Any]])
            return Set(paths.flatMap { path, item in item.keys.filter { $0 != "parameters" }.map { "\($0.uppercased()) \(path)" } })
        }
        // The LPS document has the LPS routes; the case workers' routes have a document of their own.
        let caseWorkers = served.filter { $0.contains(" /api/internad/") }
        #expect(served.subtracting(caseWorkers) == (try specified("openapi.yaml")), "served: \(served.sorted())")
        #expect(caseWorkers == (try specified("openapi-modia.yaml")), "served: \(caseWorkers.sorted())")
    }

    /// The statuses each operation answers with (SubmissionAnswer, ApiError, the middlewares),
    /// and the headers the code sets on them.
    @Test func everyStatusAndHeaderTheCodeAnswersWithIsSpecified() throws {
        let tree = try Self.tree()
        let expected: [String: Set<String>] = [
            "post /api/v1/followupplan": ["200", "202", "400", "401", "403", "404", "413", "415", "422", "500", "503"],
            "get /api/v1/followupplan/{uuid}/sendingstatus": ["200", "400", "401", "404", "500", "503"],
            "get /api/v1/followupplan/verify-integration": ["200", "401", "500", "503"],
        ]
        for (operation, statuses) in expected {
            let responses = try Self.responses(operation, tree)
            #expect(Set(responses.keys) == statuses, "\(operation)")
        }
        let post = try Self.responses("post /api/v1/followupplan", tree)
        for status in ["200", "202", "403", "404"] {
            #expect(Self.headers(post[status]).contains("Location"), "Location on \(status)")
        }
        #expect(Self.headers(post["200"]).isSuperset(of: ["Nav-Call-Id", "Idempotent-Replayed"]))
        #expect(Self.headers(post["202"]).isSuperset(of: ["Nav-Call-Id", "Idempotent-Replayed", "Preference-Applied"]))
        #expect(Self.headers(post["401"]).contains("WWW-Authenticate"))
        let parameters = try #require((try Self.operation("post /api/v1/followupplan", tree))["parameters"] as? [[String: Any]])
        let named = Set(parameters.compactMap { $0["name"] as? String })
        #expect(named.isSuperset(of: ["Idempotency-Key", "Prefer"]))
    }

    /// Every 4xx and 5xx answer of every operation has an example, and each example is an
    /// ApiError of that status with a type of the contract's catalogue.
    @Test func everyErrorAnswerHasAnExampleOfItsOwnStatus() throws {
        let tree = try Self.tree()
        let paths = try #require(tree["paths"] as? [String: [String: Any]])
        for (path, item) in paths {
            for (method, operation) in item {
                let responses = try #require((operation as? [String: Any])?["responses"] as? [String: Any])
                for (status, response) in responses where status.hasPrefix("4") || status.hasPrefix("5") {
                    let resolved = try Self.resolve(response, tree)
                    let content = (resolved["content"] as? [String: Any])?["application/json"] as? [String: Any]
                    let examples = ((content?["examples"] as? [String: Any]) ?? [:]).values.compactMap {
                        ($0 as? [String: Any])?["value"] as? [String: Any]
                    }
                    #expect(!examples.isEmpty, "\(method) \(path) \(status) has no example")
                    for example in examples {
                        #expect((example["status"] as? [String: Any])?["value"] as? Int == Int(status), "\(method) \(path) \(status)")
                        #expect(ErrorType(rawValue: example["type"] as? String ?? "") != nil, "\(method) \(path) \(status): \(example)")
                    }
                }
            }
        }
    }

    @Test func theRequestExamplesAreAcceptedByTheIntake() throws {
        let operation = try Self.operation("post /api/v1/followupplan", try Self.tree())
        let content = ((operation["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"] as? [String: Any]
        let examples = try #require(content?["examples"] as? [String: [String: Any]])
        #expect(examples.count >= 2)
        for (name, example) in examples {
            let body = try JSONSerialization.data(withJSONObject: try #require(example["value"]))
            let plan = try FollowUpPlanDTO.decode(from: body)
            #expect(FollowUpPlanValidation.firstViolation(of: plan) == nil, "\(name)")
        }
    }

    // MARK: - Reading the tree

    static func operation(_ key: String, _ tree: [String: Any]) throws -> [String: Any] {
        let parts = key.split(separator: " ", maxSplits: 1).map(String.init)
        let paths = try #require(tree["paths"] as? [String: [String: Any]])
        return try #require(paths[parts[1]]?[parts[0]] as? [String: Any], "\(key)")
    }

    static func responses(_ key: String, _ tree: [String: Any]) throws -> [String: [String: Any]] {
        let responses = try #require(try operation(key, tree)["responses"] as? [String: Any])
        return try responses.mapValues { try resolve($0, tree) }
    }

    /// A `$ref` to `#/components/…`, followed.
    static func resolve(_ value: Any, _ tree: [String: Any]) throws -> [String: Any] {
        let object = try #require(value as? [String: Any])
        guard let reference = object["$ref"] as? String else { return object }
        var node: Any = tree
        for part in reference.dropFirst(2).split(separator: "/") { node = try #require((node as? [String: Any])?[String(part)]) }
        return try #require(node as? [String: Any])
    }

    static func headers(_ response: [String: Any]?) -> Set<String> {
        Set(((response?["headers"] as? [String: Any]) ?? [:]).keys)
    }
}
