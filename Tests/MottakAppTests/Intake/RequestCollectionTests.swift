import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

/// The runnable examples integrators get (`docs/requests/`: the Bruno collection and the
/// `.http` file) are sent, request by request and in order, to the whole service on the local
/// stack, with their variables, scripts and assertions: the collection cannot rot.
@Suite(.timeLimit(.minutes(5))) struct RequestCollectionTests {
    static let folder = TestServices.repositoryRoot.appendingPathComponent("docs/requests")

    @Test func theBrunoCollectionRunsAgainstTheLocalStack() async throws {
        let collection = Self.folder.appendingPathComponent("bruno")
        let files = try FileManager.default.contentsOfDirectory(atPath: collection.path).filter { $0.hasSuffix(".bru") }
        let requests = try files.map { try BrunoRequest(String(contentsOf: collection.appendingPathComponent($0), encoding: .utf8)) }
            .sorted { $0.seq < $1.seq }
        #expect(requests.count == 5)
        let environment =
            try BrunoRequest.blocks(String(contentsOf: collection.appendingPathComponent("environments/local.bru"), encoding: .utf8))["vars"]
            .map(BrunoRequest.pairs) ?? [:]
        #expect(environment["tokenUser"] != nil && environment["baseUrl"] != nil)
        try await PipelineFlowTests.withPipeline(devTokenCredentials: (environment["tokenUser"]!, environment["tokenPassword"]!)) { pipeline in
            var variables = environment
            for request in requests {
                let response = try await pipeline.client.execute(
                    uri: request.path(variables), method: request.method, headers: request.headers(variables),
                    body: request.body.map { ByteBuffer(string: BrunoRequest.substitute($0, variables)) })
                let body = String(buffer: response.body)
                #expect(request.expectedStatus == Int(response.status.code), "\(request.name): \(response.status) \(body)")
                if let field = request.lengthAssertion {
                    let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
                    #expect((json?[field.name] as? String)?.count == field.length, "\(request.name): \(field.name)")
                }
                for (name, path) in request.setVariables {
                    variables[name] =
                        path.isEmpty ? body : (try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?[path] as? String
                }
            }
        }
    }

    @Test func theHttpFileRunsAgainstTheLocalStack() async throws {
        let text = try String(contentsOf: Self.folder.appendingPathComponent("oppfolgingsplan.http"), encoding: .utf8)
        let requests = HttpFileRequest.parse(text)
        #expect(requests.count == 4)
        try await PipelineFlowTests.withPipeline(devTokenCredentials: ("demo", "demo")) { pipeline in
            var responses: [String: String] = [:]
            for request in requests {
                func resolve(_ text: String) -> String { HttpFileRequest.resolve(text, variables: request.variables, responses: responses) }
                var headers: HTTPFields = [:]
                for (name, value) in request.headers { headers[HTTPField.Name(name)!] = resolve(value) }
                let response = try await pipeline.client.execute(
                    uri: resolve(request.url).replacingOccurrences(of: request.variables["baseUrl"] ?? "", with: ""), method: request.method,
                    headers: headers, body: request.body.map { ByteBuffer(string: resolve($0)) })
                #expect((200..<300).contains(Int(response.status.code)), "\(request.title): \(response.status) \(String(buffer: response.body))")
                if let name = request.name { responses[name] = String(buffer: response.body) }
            }
        }
    }
}

/// One request of a Bruno collection (`.bru`), as far as these examples use the format.
struct BrunoRequest {
    var name: String
    var seq: Int
    var method: HTTPRequest.Method
    var url: String
    var headerLines: [String: String]
    var bearer: String?
    var basic: (String, String)?
    var body: String?
    var expectedStatus: Int?
    var lengthAssertion: (name: String, length: Int)?
    /// `bru.setVar("name", res.getBody())` (path "") or `res.getBody().field`.
    var setVariables: [(String, String)]

    init(_ text: String) throws {
        let blocks = Self.blocks(text)
        let meta = Self.pairs(blocks["meta"] ?? "")
        name = meta["name"] ?? "?"
        seq = Int(meta["seq"] ?? "") ?? 0
        let verb = ["get", "post", "put", "delete"].first { blocks[$0] != nil } ?? "get"
        method = HTTPRequest.Method(rawValue: verb.uppercased())!
        url = Self.pairs(blocks[verb] ?? "")["url"] ?? ""
        headerLines = Self.pairs(blocks["headers"] ?? "")
        bearer = blocks["auth:bearer"].flatMap { Self.pairs($0)["token"] }
        basic = blocks["auth:basic"].map { block in (Self.pairs(block)["username"] ?? "", Self.pairs(block)["password"] ?? "") }
        body = blocks["body:json"]
        let assertions = Self.pairs(blocks["assert"] ?? "")
        expectedStatus = assertions["res.status"].flatMap { Int($0.replacingOccurrences(of: "eq ", with: "")) }
        lengthAssertion = assertions.first { $0.key.hasPrefix("res.body.") && $0.value.hasPrefix("length ") }.map {
            (String($0.key.dropFirst("res.body.".count)), Int($0.value.dropFirst("length ".count)) ?? -1)
        }
        let script = blocks["script:post-response"] ?? ""
        let pattern = try Regex(#"bru\.setVar\("([A-Za-z]+)",\s*res\.getBody\(\)(?:\.([A-Za-z]+))?\)"#)
        setVariables = script.matches(of: pattern).map { match in
            (String(match.output[1].substring ?? ""), String(match.output[2].substring ?? ""))
        }
    }

    func path(_ variables: [String: String]) -> String {
        Self.substitute(url, variables).replacingOccurrences(of: variables["baseUrl"] ?? "", with: "")
    }

    func headers(_ variables: [String: String]) -> HTTPFields {
        var fields: HTTPFields = [:]
        for (name, value) in headerLines { fields[HTTPField.Name(name)!] = Self.substitute(value, variables) }
        if let bearer { fields[.authorization] = "Bearer " + Self.substitute(bearer, variables) }
        if let (user, password) = basic {
            fields[.authorization] =
                "Basic " + Data("\(Self.substitute(user, variables)):\(Self.substitute(password, variables))".utf8).base64EncodedString()
        }
        return fields
    }

    /// `{{name}}` from the variables; Bruno's dynamic `{{$randomUUID}}` and `{{$randomDateFuture}}`.
    static func substitute(_ text: String, _ variables: [String: String]) -> String {
        var result = text
        for (name, value) in variables { result = result.replacingOccurrences(of: "{{\(name)}}", with: value) }
        while let range = result.range(of: "{{$randomUUID}}") { result.replaceSubrange(range, with: UUID().uuidString.lowercased()) }
        while let range = result.range(of: "{{$randomDateFuture}}") {
            let future = Date().addingTimeInterval(Double.random(in: 86_400...300 * 86_400))
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            result.replaceSubrange(range, with: formatter.string(from: future))
        }
        return result
    }

    /// The top-level blocks (`name { … }` / `name [ … ]`) by name, with their inner text.
    static func blocks(_ text: String) -> [String: String] {
        var blocks: [String: String] = [:]
        var current: String?
        var lines: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, let opening = line.firstIndex(where: { $0 == "{" || $0 == "[" }), line.last == "{" || line.last == "[" {
                current = line[..<opening].trimmingCharacters(in: .whitespaces)
                lines = []
            } else if current != nil, line == "}" || line == "]" {
                blocks[current!] = lines.map { $0.count >= 2 && $0.hasPrefix("  ") ? String($0.dropFirst(2)) : String($0) }.joined(separator: "\n")
                current = nil
            } else if current != nil {
                lines.append(line)
            }
        }
        return blocks
    }

    /// `key: value` lines.
    static func pairs(_ block: String) -> [String: String] {
        var pairs: [String: String] = [:]
        for line in block.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            pairs[line[..<colon].trimmingCharacters(in: .whitespaces)] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return pairs
    }
}

/// One request of an `.http` file (IntelliJ / VS Code REST Client), as these examples use it.
struct HttpFileRequest {
    var title: String
    var name: String?
    var method: HTTPRequest.Method
    var url: String
    var headers: [(String, String)]
    var body: String?
    var variables: [String: String]

    static func parse(_ text: String) -> [HttpFileRequest] {
        var variables: [String: String] = [:]
        var requests: [HttpFileRequest] = []
        for (index, section) in text.components(separatedBy: "\n###").enumerated() {
            var lines = section.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let title = index == 0 ? "" : lines.removeFirst().trimmingCharacters(in: .whitespaces)
            var name: String?
            var request: (HTTPRequest.Method, String)?
            var headers: [(String, String)] = []
            var bodyLines: [String] = []
            var inBody = false
            for line in lines {
                if inBody {
                    bodyLines.append(line)
                } else if line.hasPrefix("# @name ") {
                    name = String(line.dropFirst("# @name ".count)).trimmingCharacters(in: .whitespaces)
                } else if line.hasPrefix("#") {
                    continue
                } else if line.hasPrefix("@"), let equals = line.firstIndex(of: "=") {
                    variables[line.dropFirst()[..<equals].trimmingCharacters(in: .whitespaces)] = line[line.index(after: equals)...]
                        .trimmingCharacters(in: .whitespaces)
                } else if request == nil, let space = line.firstIndex(of: " "), let method = HTTPRequest.Method(rawValue: String(line[..<space])) {
                    request = (method, String(line[line.index(after: space)...]))
                } else if request != nil, line.trimmingCharacters(in: .whitespaces).isEmpty {
                    inBody = true
                } else if request != nil, let colon = line.firstIndex(of: ":") {
                    headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
                }
            }
            guard let (method, url) = request else { continue }
            let body = bodyLines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            requests.append(
                HttpFileRequest(
                    title: title, name: name, method: method, url: url, headers: headers, body: body.isEmpty ? nil : body, variables: variables))
        }
        return requests
    }

    /// `{{variable}}`, `{{name.response.body}}` and `{{name.response.body.field}}`.
    static func resolve(_ text: String, variables: [String: String], responses: [String: String]) -> String {
        var result = text
        for (name, value) in variables { result = result.replacingOccurrences(of: "{{\(name)}}", with: value) }
        for (name, body) in responses {
            result = result.replacingOccurrences(of: "{{\(name).response.body}}", with: body)
            if let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] {
                for (field, value) in json { result = result.replacingOccurrences(of: "{{\(name).response.body.\(field)}}", with: "\(value)") }
            }
        }
        return result
    }
}
