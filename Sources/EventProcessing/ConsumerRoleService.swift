import Domain
import Kafka
import Logging
import Metrics
import ServiceLifecycle
import Tracing

/// The loop every consuming role shares: take a message, hand it to the role's handler, retry
/// transient failures with backoff, send what cannot be handled to the dead-letter topic, and
/// mark the message processed only then (at-least-once: handlers are idempotent).
///
/// Messages are handled one at a time, in order: a failing message holds its consumer back
/// while it is retried (bounded by the policy), which keeps the per-plan order of events.
/// On graceful shutdown the message in hand is finished (its retry pauses are cut short:
/// unmarked, it goes to the next member), then the loop ends and the consumer, listed before
/// this service, commits and leaves the group.
public struct ConsumerRoleService: Service {
    /// Handles one message. Throw ``PoisonMessage`` for a message that can never succeed;
    /// anything else is retried.
    public typealias Handler = @Sendable (KafkaMessage) async throws -> Void
    /// Told when a message went to the dead-letter topic (for example to record FAILED).
    public typealias DeadLetterHook = @Sendable (KafkaMessage, DeadLetterReason) async throws -> Void

    let name: String
    let consumerGroup: String
    let consumer: KafkaConsumer
    let deadLetters: DeadLetters
    let retryPolicy: RetryPolicy
    /// How a message is retried while a NAV API refuses our access (``Domain/AccessDenied``).
    let accessDeniedPolicy: RetryPolicy
    let handler: Handler
    let onDeadLetter: DeadLetterHook
    let metrics: ConsumerMetrics
    let logger: Logger

    public init(
        name: String, consumerGroup: String, consumer: KafkaConsumer, deadLetters: DeadLetters, retryPolicy: RetryPolicy = .init(),
        accessDeniedPolicy: RetryPolicy = .accessDenied, metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance,
        logger: Logger, onDeadLetter: @escaping DeadLetterHook = { _, _ in }, handler: @escaping Handler
    ) {
        self.name = name
        self.consumerGroup = consumerGroup
        self.consumer = consumer
        self.deadLetters = deadLetters
        self.retryPolicy = retryPolicy
        self.accessDeniedPolicy = accessDeniedPolicy
        self.handler = handler
        self.onDeadLetter = onDeadLetter
        self.metrics = ConsumerMetrics(group: consumerGroup, factory: metricsFactory)
        self.logger = logger
    }

    /// How often this member's lag per partition is recorded.
    static let lagInterval: Duration = .seconds(10)

    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [consumer, metrics] in
                while !Task.isCancelled {
                    if let lags = try? consumer.lag() { metrics.record(lags) }
                    try? await Task.sleep(for: Self.lagInterval)
                }
            }
            defer { group.cancelAll() }
            try await consume()
        }
    }

    private func consume() async throws {
        // Only the wait for the next message is cut short by a graceful shutdown; the message
        // in hand is finished. The consumer (listed before us) then commits and leaves.
        while !Task.isShuttingDownGracefully {
            let next: KafkaMessage?
            do {
                next = try await cancelWhenGracefulShutdown {
                    var messages = consumer.messages.makeAsyncIterator()
                    return try await messages.next()
                }
            } catch is CancellationError {
                break
            }
            guard let message = next else { break }
            try await handle(message)
        }
    }

    /// Handles `message` to the end in a span that continues the message's trace: done, or
    /// dead-lettered; then marks it processed.
    func handle(_ message: KafkaMessage) async throws {
        try await TraceLogContext.$traceID.withValue(TraceLogContext.traceID(ofTraceparent: message.header("traceparent"))) {
            try await withSpan("\(name) \(message.topic)", context: TraceContext.context(of: message), ofKind: .consumer) { span in
                span.attributes["messaging.system"] = "kafka"
                span.attributes["messaging.destination.name"] = message.topic
                span.attributes["messaging.kafka.message.offset"] = Int(message.offset)
                try await handleInSpan(message)
            }
        }
    }

    private func handleInSpan(_ message: KafkaMessage) async throws {
        var attempt = 1
        while true {
            do {
                try await handler(message)
                break
            } catch let poison as PoisonMessage {
                try await deadLetter(message, reason: .poison(poison.reason), attempts: attempt)
                try consumer.markProcessed(message)
                return
            } catch {
                // Shutting down: left unmarked, so the next member of the group retries it.
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                // A refused access is not this message's fault: retried slowly and loudly.
                let denied = error as? any AccessDenied
                let policy = denied == nil ? retryPolicy : accessDeniedPolicy
                if let denied { metrics.accessDenied(denied.dependency) }
                guard attempt < policy.maximumAttempts else {
                    try await deadLetter(message, reason: .retriesExhausted(attempts: attempt, lastError: "\(error)"), attempts: attempt)
                    try consumer.markProcessed(message)
                    return
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
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
            }
        }
        try consumer.markProcessed(message)
        metrics.processed()
    }

    private func deadLetter(_ message: KafkaMessage, reason: DeadLetterReason, attempts: Int) async throws {
        try await deadLetters.send(message, reason: reason, attempts: attempts, consumerGroup: consumerGroup)
        metrics.deadLettered(reason)
        logger.error("message sent to the dead-letter topic", metadata: metadata(message).merging(["reason": "\(reason.headerValue)"]) { $1 })
        try await onDeadLetter(message, reason)
    }

    private func metadata(_ message: KafkaMessage) -> Logger.Metadata {
        [
            "consumer": "\(name)", "kafka.topic": "\(message.topic)", "kafka.partition": "\(message.partition)",
            "kafka.offset": "\(message.offset)",
        ]
    }
}
