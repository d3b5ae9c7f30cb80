import Storage
import Testing

@Suite(.timeLimit(.minutes(5))) struct DatabaseConfigurationTests {
    @Test func parsesALibpqURL() throws {
        let configuration = try DatabaseConfiguration(url: "postgres://app%40x:p%3Ass@db.example:6543/plans?sslmode=verify-full")
        #expect(configuration.host == "db.example")
        #expect(configuration.port == 6543)
        #expect(configuration.username == "app@x")
        #expect(configuration.password == "p:ss")
        #expect(configuration.database == "plans")
        #expect(configuration.sslMode == .verifyFull)
    }

    @Test func defaultsToPort5432AndPreferTLS() throws {
        let configuration = try DatabaseConfiguration(url: "postgresql://u@localhost/db")
        #expect(configuration.port == 5432)
        #expect(configuration.password == nil)
        #expect(configuration.sslMode == .prefer)
    }

    @Test(arguments: [
        ("mysql://u:secret@h/db", "expected postgres://"),
        ("postgres://u:secret@h", "database name is missing"),
        ("postgres://:secret@h/db", "user name is missing"),
        ("postgres://u:secret@h/db?sslmode=sometimes", "sslmode must be one of"),
        ("postgres://u:secret@h/db?connect_timeout=3", "unsupported parameter 'connect_timeout'"),
    ])
    func rejectsBadURLsWithoutRepeatingThePassword(url: String, expected: String) {
        do {
            _ = try DatabaseConfiguration(url: url)
            Issue.record("accepted \(url)")
        } catch {
            #expect(error.description.contains(expected))
            #expect(!error.description.contains("secret"))
        }
    }
}
