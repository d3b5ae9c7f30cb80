import Storage
import Testing

@Suite(.timeLimit(.minutes(5))) struct SQLStatementSplitterTests {
    @Test func splitsOnSemicolonsAndDropsEmptyStatements() {
        #expect(
            SQLStatementSplitter.split("CREATE TABLE a (x int);\n\n;CREATE TABLE b (y int)") == [
                "CREATE TABLE a (x int)", "CREATE TABLE b (y int)",
            ])
    }

    @Test func keepsSemicolonsInsideStringsIdentifiersAndComments() {
        let sql = """
            -- a comment; not a statement end
            INSERT INTO t VALUES ('a;b', 'it''s; fine', E'back\\'slash;');
            /* block; /* nested; */ still comment; */
            SELECT "odd;name" FROM t;
            """
        let statements = SQLStatementSplitter.split(sql)
        #expect(statements.count == 2)
        #expect(statements[0].hasSuffix("E'back\\'slash;')"))
        #expect(statements[1].hasSuffix("SELECT \"odd;name\" FROM t"))
    }

    @Test func keepsDollarQuotedBodiesWhole() {
        let sql = """
            CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql;
            DO $$ BEGIN PERFORM 1; END $$;
            SELECT $1::int
            """
        let statements = SQLStatementSplitter.split(sql)
        #expect(statements.count == 3)
        #expect(statements[0].contains("RETURN 1; END; $body$ LANGUAGE plpgsql"))
        #expect(statements[1] == "DO $$ BEGIN PERFORM 1; END $$")
        #expect(statements[2] == "SELECT $1::int")
    }

    @Test func aStringAfterAWordEndingInEIsNotAnEscapeString() {
        // In LIKE'…' the E belongs to LIKE: the backslash is an ordinary character.
        let statements = SQLStatementSplitter.split("SELECT 1 WHERE 'a' LIKE'a\\'; SELECT 2")
        #expect(statements == ["SELECT 1 WHERE 'a' LIKE'a\\'", "SELECT 2"])
    }

    @Test func aFileOfOnlyCommentsHasNoStatements() {
        #expect(SQLStatementSplitter.split("-- nothing here;\n/* nor; here */\n").isEmpty)
    }
}
