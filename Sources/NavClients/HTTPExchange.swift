import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// One request to a NAV API with a timeout; transport failures become ``DependencyUnavailable``.
struct HTTPExchange: Sendable {
    let dependency: String
    let httpClient: HTTPClient
    let timeout: Duration
    var metrics: ExternalCallMetrics = .none
    var circuits: DependencyCircuits = .none

    struct Answer {
        var status: Int
        var body: Data

        /// 401 and 403 mean our access is wrong, whatever the API: ``NavAccessDenied``.
        func checkAccess(_ dependency: String) throws(NavAccessDenied) {
            if status == 401 || status == 403 { throw NavAccessDenied(dependency, status: status) }
        }
    }

    func post(_ url: String, body: Data, headers: [(String, String)]) async throws -> Answer {
        try await send(.POST, url, body: body, headers: headers)
    }

    func get(_ url: String, headers: [(String, String)]) async throws -> Answer {
        try await send(.GET, url, body: nil, headers: headers)
    }

    private func send(_ method: HTTPMethod, _ url: String, body: Data?, headers: [(String, String)]) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(data: body)) }
        guard circuits.permission(for: dependency) != .refuse else { throw DependencyUnavailable.circuitOpen(dependency) }
        // A call that ends without an answer (cancelled, say) counts as a failure for the circuit.
        var answered = false
        defer { circuits.record(dependency, answered: answered) }
        let started = ContinuousClock.now
        do {
            let response = try await httpClient.execute(request, timeout: .milliseconds(Int64(timeout / .milliseconds(1))))
            let bytes = try await response.body.collect(upTo: 16 << 20)
            metrics.record(target: dependency, status: Int(response.status.code), duration: ContinuousClock.now - started)
            answered = response.status.code < 500
            return Answer(status: Int(response.status.code), body: Data(buffer: bytes))
        } catch let error as DependencyUnavailable {
            throw error
        } catch {
            metrics.record(target: dependency, status: nil, duration: ContinuousClock.now - started)
            throw DependencyUnavailable(dependency, "\(url): \(error)")
        }
    }
}
