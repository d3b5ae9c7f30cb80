import Domain

extension EventTopics {
    /// Reads `KAFKA_TOPIC_*` over the local names. On NAIS every topic we own must be set: a
    /// NAIS `Topic` is named `<namespace>.<name>`, and a service that silently fell back to
    /// `followupplan.received` there would fail on its first message instead of at start-up.
    init(_ env: EnvironmentReader, onNais: Bool) throws(ConfigurationError) {
        self = .local
        for variable in Self.variables {
            if let name = env.string(variable.name) {
                guard Self.isValidTopicName(name) else {
                    throw ConfigurationError(
                        variable: variable.name, problem: "is '\(name)', not a Kafka topic name (letters, digits, '.', '_' and '-', at most 249)")
                }
                self[keyPath: variable.topic] = name
            } else if onNais && variable.owned {
                throw .missing(variable.name, because: "on NAIS the topics are named after their namespace (team-esyfo.<name>)")
            }
        }
    }

    /// Kafka's own rule for topic names.
    static func isValidTopicName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 249 && name != "." && name != ".."
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0))
            }
    }
}
