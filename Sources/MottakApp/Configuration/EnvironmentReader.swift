/// Typed reads of environment variables, each failing with a `ConfigurationError` that names
/// the variable. Empty values count as unset, as in most shells' `${VAR:-default}`.
struct EnvironmentReader {
    let values: [String: String]

    func string(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    func required(_ name: String, because reason: String = "it is required") throws(ConfigurationError) -> String {
        guard let value = string(name) else { throw .missing(name, because: reason) }
        return value
    }

    func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let text = string(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(variable: name, problem: "is '\(text)', expected a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func boolean(_ name: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
        guard let text = string(name) else { return defaultValue }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ConfigurationError(variable: name, problem: "is '\(text)', expected true or false")
        }
    }

    func oneOf<T: RawRepresentable>(_ name: String, default defaultValue: T) throws(ConfigurationError) -> T
    where T: CaseIterable, T.RawValue == String {
        guard let text = string(name) else { return defaultValue }
        guard let value = T(rawValue: text) else {
            throw ConfigurationError(
                variable: name, problem: "is '\(text)', expected one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// Set means "all of them": a half-configured group (say a TLS key without its certificate)
    /// is a mistake to report, not a feature to switch off.
    func allOrNone(_ names: [String], because reason: String) throws(ConfigurationError) -> [String]? {
        let present = names.filter { string($0) != nil }
        if present.isEmpty { return nil }
        if let missing = names.first(where: { string($0) == nil }) {
            throw .missing(missing, because: "\(present.joined(separator: ", ")) \(present.count == 1 ? "is" : "are") set and \(reason)")
        }
        return names.map { values[$0]! }
    }
}
