/// Splits a migration file into single statements.
///
/// postgres-nio speaks PostgreSQL's extended query protocol, which runs one statement per
/// request, while a migration file holds many. This splitter knows exactly the parts of
/// PostgreSQL's lexical grammar that can hide a semicolon: single-quoted strings (with `''`
/// escapes, and `E'…'` backslash escapes), quoted identifiers, dollar-quoted bodies (`$$…$$`,
/// `$tag$…$tag$`, as in functions and DO blocks), `--` line comments and nested `/* */`
/// comments. Statements that are empty or only comments are dropped.
public enum SQLStatementSplitter {
    public static func split(_ sql: String) -> [String] {
        let characters = Array(sql.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var hasCode = false
        var index = 0

        func flush() {
            let statement = String(current).trimmingWhitespace()
            if hasCode, !statement.isEmpty { statements.append(statement) }
            current = String.UnicodeScalarView()
            hasCode = false
        }
        func peek(_ offset: Int) -> Unicode.Scalar? {
            index + offset < characters.count ? characters[index + offset] : nil
        }
        /// Copies characters up to and including `terminator` (a sequence).
        func copy(through terminator: [Unicode.Scalar]) {
            while index < characters.count {
                if Array(characters[index..<min(index + terminator.count, characters.count)]) == terminator {
                    current.append(contentsOf: terminator)
                    index += terminator.count
                    return
                }
                current.append(characters[index])
                index += 1
            }
        }

        while index < characters.count {
            let character = characters[index]
            switch character {
            case ";":
                index += 1
                flush()
            case "-" where peek(1) == "-":
                copy(through: ["\n"])
            case "/" where peek(1) == "*":
                var depth = 0
                while index < characters.count {
                    if characters[index] == "/" && peek(1) == "*" {
                        depth += 1
                        current.append(contentsOf: ["/", "*"])
                        index += 2
                    } else if characters[index] == "*" && peek(1) == "/" {
                        depth -= 1
                        current.append(contentsOf: ["*", "/"])
                        index += 2
                        if depth == 0 { break }
                    } else {
                        current.append(characters[index])
                        index += 1
                    }
                }
            case "'":
                hasCode = true
                // E'…' is an escape string only when the E is a word of its own (not `LIKE'…'`).
                let backslashEscapes =
                    index > 0 && (characters[index - 1] == "E" || characters[index - 1] == "e")
                    && (index < 2 || !isIdentifierCharacter(characters[index - 2]))
                current.append(character)
                index += 1
                while index < characters.count {
                    let next = characters[index]
                    current.append(next)
                    index += 1
                    if backslashEscapes && next == "\\" && index < characters.count {
                        current.append(characters[index])
                        index += 1
                    } else if next == "'" {
                        if index < characters.count && characters[index] == "'" {
                            current.append("'")
                            index += 1
                        } else {
                            break
                        }
                    }
                }
            case "\"":
                hasCode = true
                current.append(character)
                index += 1
                copy(through: ["\""])
            case "$":
                hasCode = true
                if let tag = dollarQuoteTag(characters, at: index) {
                    current.append(contentsOf: tag)
                    index += tag.count
                    copy(through: tag)
                } else {
                    current.append(character)
                    index += 1
                }
            default:
                if !character.properties.isWhitespace { hasCode = true }
                current.append(character)
                index += 1
            }
        }
        flush()
        return statements
    }

    /// `$$` or `$tag$` starting at `start`, or nil when the `$` is something else (`$1`).
    private static func dollarQuoteTag(_ characters: [Unicode.Scalar], at start: Int) -> [Unicode.Scalar]? {
        var end = start + 1
        while end < characters.count {
            let character = characters[end]
            if character == "$" { return Array(characters[start...end]) }
            let isTagCharacter = character == "_" || character.properties.isAlphabetic || (end > start + 1 && ("0"..."9").contains(character))
            guard isTagCharacter else { return nil }
            end += 1
        }
        return nil
    }
}

private func isIdentifierCharacter(_ character: Unicode.Scalar) -> Bool {
    character == "_" || character.properties.isAlphabetic || ("0"..."9").contains(character)
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
