import Domain
import Kafka
import Logging
import Metrics
import ServiceLifecycle
import Tracing

/// The loop every consuming role shares: take a message, hand it to the role's handler, retry
/// transient failures a few times quickly, then park the message for the durable wait (with
/// ``Parking``; ``ConsumerRoleService+Parking.swift``), send what can never be handled to the
/// dead-letter topic, and mark the message processed only then (at-least-once: handlers are
/// idempotent). Our own PostgreSQL or Kafka being away is waited out and never counts.
///
/// Messages are handled concurrently, in order per key (``Kafka/KeyOrderedProcessor``; every
/// plan event is keyed by its plan uuid): a failing message is retried with its backoff while
/// it holds only its own plan, and other plans of the same partition move on. On graceful
/// shutdown the messages at work end their current attempt (retry pauses are cut short;
/// unfinished, they go to the next member), then the loop ends and the consumer, listed
/// before this service, commits and leaves the group.
public struct ConsumerRoleService: Service {
    /// Handles one message. Throw ``PoisonMessage`` for a message that can never succeed;
    /// anything else is retried.
    public typealias Handler = @Sendable (KafkaMessage) async throws -> Void
    /// Told when a message went to the dead-letter topic (for example to record FAILED).
    public typealias DeadLetterHook = @Sendable (KafkaMessage, DeadLetterReason) async throws -> Void
    /// Tells whether an error means our own infrastructure (PostgreSQL, Kafka) is unavailable:
    /// such a failure is waited out, never counted towards a message's attempts.
    public typealias InfrastructureCheck = @Sendable (any Error) -> Bool

    /// Kafka, which every role's producer needs, is ours; PostgreSQL is added by the application
    /// (``Storage/PostgresUnavailable``), which this module does not know.
    public static let kafkaUnavailable: InfrastructureCheck = { $0 is KafkaError }

    let name: String
    let consumerGroup: String
    let consumer: KafkaConsumer
    let deadLetters: DeadLetters
    let retryPolicy: RetryPolicy
    /// How a message is retried while a NAV API refuses our access (``Domain/AccessDenied``).
    let accessDeniedPolicy: RetryPolicy
    let handler: Handler
    let onDeadLetter: DeadLetterHook
    let isOwnInfrastructureDown: InfrastructureCheck
    /// The durable wait for NAV's outages; nil: dead-letter after the quick attempts.
    let parking: Parking?
    let metrics: ConsumerMetrics
    let processor: KeyOrderedProcessor
    /// Whether a message may skip the read for an earlier parked message of its plan.
    let noneParked = NoneParked()
    let logger: Logger

    public init(
        name: String, consumerGroup: String, consumer: KafkaConsumer, deadLetters: DeadLetters, retryPolicy: RetryPolicy = .init(),
        accessDeniedPolicy: RetryPolicy = .accessDenied, processing: KeyOrderedProcessing = .init(),
        metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance,
        logger: Logger, onDeadLetter: @escaping DeadLetterHook = { _, _ in },
        isOwnInfrastructureDown: @escaping InfrastructureCheck = ConsumerRoleService.kafkaUnavailable, parking: Parking? = nil,
        handler: @escaping Handler
    ) {
        self.isOwnInfrastructureDown = isOwnInfrastructureDown
        self.parking = parking.flatMap { $0.policy.isEnabled ? $0 : nil }
        self.name = name
        self.consumerGroup = consumerGroup
        self.consumer = consumer
        self.deadLetters = deadLetters
        self.retryPolicy = retryPolicy
        self.accessDeniedPolicy = accessDeniedPolicy
        self.handler = handler
        self.onDeadLetter = onDeadLetter
        self.metrics = ConsumerMetrics(group: consumerGroup, factory: metricsFactory)
        self.processor = KeyOrderedProcessor(consumer: consumer, settings: processing, logger: logger)
        self.logger = logger
    }

    /// How often this member's lag per partition and its messages in flight are recorded.
    static let metricsInterval: Duration = .seconds(5)

    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [consumer, metrics, processor] in
                while !Task.isCancelled {
                    if let lags = try? consumer.lag() { metrics.record(lags) }
                    metrics.record(processor.snapshot)
                    try? await Task.sleep(for: Self.metricsInterval)
                }
            }
            if let parking {
                group.addTask { await runParkedMessages(parking) }
            }
            defer { group.cancelAll() }
            try await processor.run { message in await handle(message) }
        }
    }

    /// Handles `message` to the end in a span that continues the message's trace: done, or
    /// dead-lettered (finished); or given up at shutdown (abandoned: the next member handles
    /// it again).
    func handle(_ message: KafkaMessage) async -> MessageOutcome {
        await TraceLogContext.$traceID.withValue(TraceLogContext.traceID(ofTraceparent: message.header("traceparent"))) {
            await withSpan("\(name) \(message.topic)", context: TraceContext.context(of: message), ofKind: .consumer) { span in
                span.attributes["messaging.system"] = "kafka"
                span.attributes["messaging.destination.name"] = message.topic
                span.attributes["messaging.kafka.message.offset"] = Int(message.offset)
                return await handleInSpan(message)
            }
        }
    }

    private func handleInSpan(_ message: KafkaMessage) async -> MessageOutcome {
        // A plan with a parked message: this later one waits behind it, never overtakes it.
        if let parking {
            switch await parkBehindEarlierIfAny(message, parking) {
            case .parked: return .finished
            case .abandoned: return .abandoned
            case .none: break
            }
        }
        var attempt = 1
        var infrastructureWaits = 0
        while true {
            do {
                try await handler(message)
                break
            } catch let poison as PoisonMessage {
                return await deadLetter(message, reason: .poison(poison.reason), attempts: attempt)
            } catch {
                // Shutting down: left unfinished, so the next member of the group retries it.
                if Task.isCancelled || Task.isShuttingDownGracefully { return .abandoned }
                // Our own PostgreSQL or Kafka away: not the plan's fault. Waited out with the
                // policy's backoff for as long as it lasts, without counting an attempt; every
                // message of the member waits the same way, so consumption pauses.
                if isOwnInfrastructureDown(error) {
                    infrastructureWaits += 1
                    metrics.infrastructureWait()
                    let pause = retryPolicy.delay(afterAttempt: min(infrastructureWaits, 30))
                    logger.warning(
                        "our own infrastructure is unavailable; waiting (not counted as an attempt)",
                        metadata: metadata(message).merging(["error": "\(error)", "retry.in": "\(pause)"]) { $1 })
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
                    if Task.isCancelled || Task.isShuttingDownGracefully { return .abandoned }
                    continue
                }
                // A refused access is not this message's fault: retried slowly and loudly.
                let denied = error as? any AccessDenied
                // With the durable wait, a refused access is parked like an outage (and alerted on).
                let policy = denied == nil || parking != nil ? retryPolicy : accessDeniedPolicy
                if let denied { metrics.accessDenied(denied.dependency) }
                guard attempt < policy.maximumAttempts else {
                    // An outage or a refused access: the durable wait, the offset committed.
                    if let parking {
                        return await park(message, after: error, attempts: attempt, parking)
                    }
                    return await deadLetter(message, reason: .retriesExhausted(attempts: attempt, lastError: "\(error)"), attempts: attempt)
                }
                metrics.retried()
                let pause = policy.delay(afterAttempt: attempt)
                var details = metadata(message).merging(["attempt": "\(attempt)", "error": "\(error)", "retry.in": "\(pause)"]) { $1 }
                if let denied {
                    details["dependency"] = "\(denied.dependency)"
                    logger.error("a NAV API refuses our access; retrying slowly until it is fixed (see RUNBOOK.md)", metadata: details)
                } else {
                    logger.warning("handling failed; retrying", metadata: details)
                }
                attempt += 1
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
                if Task.isCancelled || Task.isShuttingDownGracefully { return .abandoned }
            }
        }
        metrics.processed()
        return .finished
    }

    /// Sends `message` to the dead-letter topic and tells the role; finished once both are
    /// done. Either failing (Kafka unreachable past the producer's timeout) is retried with
    /// the policy's backoff for as long as it takes: the message is never skipped, and only
    /// its own key waits. At shutdown it is left unfinished for the next member.
    func deadLetter(_ message: KafkaMessage, reason: DeadLetterReason, attempts: Int) async -> MessageOutcome {
        var failures = 0
        var sent = false
        while true {
            do {
                if !sent {
                    try await deadLetters.send(message, reason: reason, attempts: attempts, consumerGroup: consumerGroup)
                    sent = true
                    metrics.deadLettered(reason)
                    logger.error(
                        "message sent to the dead-letter topic",
                        metadata: metadata(message).merging(["reason": "\(reason.headerValue)"]) { $1 })
                }
                try await onDeadLetter(message, reason)
                return .finished
            } catch {
                failures += 1
                let pause = retryPolicy.delay(afterAttempt: min(failures, 30))
                logger.critical(
                    "dead-lettering failed; retrying", metadata: metadata(message).merging(["error": "\(error)", "retry.in": "\(pause)"]) { $1 })
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
                if Task.isCancelled || Task.isShuttingDownGracefully { return .abandoned }
            }
        }
    }

    func metadata(_ message: KafkaMessage) -> Logger.Metadata {
        [
            "consumer": "\(name)", "kafka.topic": "\(message.topic)", "kafka.partition": "\(message.partition)",
            "kafka.offset": "\(message.offset)",
        ]
    }
}
