import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Kafka
import KafkaMock
import LocalStandIns
import Logging
import MottakApp
import NIOCore
import ServiceLifecycle

/// The fault controls of `mottak-dev stack`, on loopback only: the fault suite
/// (`make test-faults`) takes the embedded Kafka's brokers down, makes NAV's stand-ins fail,
/// and reads what the stand-ins received to prove every plan was delivered exactly once.
///
///     POST   /kafka/brokers/down             every broker off the network
///     POST   /kafka/brokers/up
///     PUT    /standins/{api}/failure?status=503[&times=N][&delay_ms=M]
///     DELETE /standins/failures
///     GET    /standins/requests/{api}        [{"path","status","reference","pdf_sha256"}]
///
/// `reference` is dokarkiv's `eksternReferanseId` (the plan uuid); `pdf_sha256` is the digest of
/// the PDF a dokarkiv or isdialogmelding request carried (the local pdfgen makes every plan's
/// PDF differ, so GP messages can be matched to plans through their journal post).
public struct DevControlServer: Service {
    let kafka: EmbeddedKafkaCluster
    let navApis: LocalNavServer
    let port: Int
    let logger: Logger

    public init(kafka: EmbeddedKafkaCluster, navApis: LocalNavServer, port: Int, logger: Logger) {
        self.kafka = kafka
        self.navApis = navApis
        self.port = port
        self.logger = logger
    }

    public func run() async throws {
        let router = Router()
        router.post("/kafka/brokers/{direction}") { _, context in
            let direction = context.parameters.get("direction")
            guard direction == "down" || direction == "up" else { return Self.text(.notFound, "down or up") }
            for broker in 1...kafka.brokerCount {
                if direction == "down" { try kafka.setBrokerDown(Int32(broker)) } else { try kafka.setBrokerUp(Int32(broker)) }
            }
            logger.notice("fault control: every embedded broker is \(direction!)")
            return Self.text(.ok, "brokers \(direction!)")
        }
        router.put("/standins/{api}/failure") { request, context in
            guard let api = Self.api(context) else { return Self.unknownAPI }
            let query = request.uri.queryParameters
            let times = query["times"].flatMap { Int(String($0)) } ?? .max
            let delay = Duration.milliseconds(query["delay_ms"].flatMap { Int(String($0)) } ?? 0)
            let status = query["status"].flatMap { Int(String($0)) }
            var failure: LocalNavServer.Failure = status.map { .status($0, times: times) } ?? .delay(delay, times: times)
            failure.matching = query["match"].map(String.init)
            navApis.inject(failure, into: api)
            logger.notice(
                "fault control: \(api.rawValue) answers differently",
                metadata: [
                    "status": "\(status.map(String.init) ?? "as usual")", "delay": "\(delay)", "times": "\(times)",
                    "only_bodies_with": "\(failure.matching ?? "-")",
                ])
            return Self.text(.ok, "injected")
        }
        router.delete("/standins/failures") { _, _ in
            navApis.clearFailures()
            logger.notice("fault control: stand-ins answer normally again")
            return Self.text(.ok, "cleared")
        }
        router.get("/standins/requests/{api}") { _, context in
            guard let api = Self.api(context) else { return Self.unknownAPI }
            let summaries = navApis.requests(to: api).map(Self.summary)
            let data = try JSONSerialization.data(withJSONObject: summaries, options: [.sortedKeys])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil), logger: logger)
        try await app.runService(gracefulShutdownSignals: [])
    }

    /// What the fault suite needs of one recorded request.
    static func summary(_ request: LocalNavServer.RecordedRequest) -> [String: Any] {
        var summary: [String: Any] = ["path": request.path, "status": request.status ?? NSNull()]
        let json = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any]
        if let reference = json?["eksternReferanseId"] as? String { summary["reference"] = reference }
        let pdf: String? =
            (json?["oppfolgingsplanPdf"] as? String)
            ?? ((json?["dokumenter"] as? [[String: Any]])?.first?["dokumentvarianter"] as? [[String: Any]])?.first?["fysiskDokument"] as? String
        if let pdf, let bytes = Data(base64Encoded: pdf) {
            summary["pdf_sha256"] = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        }
        return summary
    }

    private static func api(_ context: BasicRequestContext) -> LocalNavServer.API? {
        context.parameters.get("api").flatMap(LocalNavServer.API.init(rawValue:))
    }

    private static var unknownAPI: Response {
        text(.notFound, "unknown API; one of \(LocalNavServer.API.allCases.map(\.rawValue))")
    }

    private static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}
