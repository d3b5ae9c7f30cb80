/// A configuration value that stops start-up. The message names the environment variable, and
/// never repeats the value of a secret one.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    public let variable: String
    public let problem: String

    public init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    static func missing(_ variable: String, because reason: String = "it is required") -> ConfigurationError {
        ConfigurationError(variable: variable, problem: "is not set, but \(reason)")
    }

    public var description: String { "configuration: \(variable) \(problem)" }
}
