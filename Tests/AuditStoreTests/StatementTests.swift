import Testing
@testable import AuditStore

/// A bind SQLite refuses must stop the statement: running it with the parameter silently NULL would
/// store a row that says something else.
@Suite struct StatementTests {
    @Test func aRefusedBindFailsTheStepAndNamesTheParameter() async throws {
        try await withTemporaryStore { path in
            let db = try Database(path: path)
            let s = try db.prepare("SELECT ?1")
            s.bind(2, "out of range")
            #expect(throws: SQLiteError.self) { try s.step() }
            s.bind(2, Int64(1))
            let error = #expect(throws: SQLiteError.self) { try s.run() }
            #expect(error?.code == 25 && error?.message.contains("binding parameter 2") == true, "\(String(describing: error))")
            // The failure is cleared with the statement: it runs again once bound right.
            s.bind(1, Int64(7))
            #expect(try s.step() && s.int64(0) == 7)
        }
    }
}
