import Foundation
import PulkTestSupport
import PulkLearn
import Testing
@testable import PulkSQL
@testable import PulkStore

/// Seeded random filters built from the grammar's own pieces (and its broken ones): each parses or
/// is refused with INVALID_PARAMETER_VALUE, and one that parses compiles to SQL with one bind per
/// placeholder. A trap or a stack overflow would end the run.
@Suite("Search filters: random input")
struct FilterFuzzTests {
    static let pieces = ["(", ")", "(", ")", " AND ", " OR ", " and ", "metrics.acc", "params.model", "tags.`a b`", "attributes.status",
                         "name", "tags.team", "run_id", "=", "!=", ">", "<=", " LIKE ", " ILIKE ", " IN ", " NOT IN ", "'x'", "'%y'", "\"q\"",
                         "1", "-2.5e3", ",", ".", "`", "'", "\"", "!", "\u{0}", "é", " ", "((", "))", "0x", "NaN"]

    static let runConditions = ["metrics.acc > 1", "params.model = 'x'", "tags.`a b` LIKE '%y'", "attributes.status IN ('A', 'B')",
                                "metrics.`loss` <= -2.5e3", "run_name != \"q\""]
    static let entityConditions = ["name = 'x'", "tags.team != 'y'", "name LIKE 'a%'", "name IN ('a', 'b')", "tags.`k` ILIKE 'Z%'"]

    /// Conditions joined by AND/OR in random parentheses, then, half the time, damaged with pieces.
    static func random(_ rng: inout SeededGenerator, _ conditions: [String] = runConditions) -> String {
        var parts = (0..<Int.random(in: 1...6, using: &rng)).map { _ in conditions[Int.random(in: 0..<conditions.count, using: &rng)] }
        for i in parts.indices where Bool.random(using: &rng) { parts[i] = "(" + parts[i] + ")" }
        var text = parts.dropFirst().reduce(parts[0]) { $0 + (Bool.random(using: &rng) ? " AND " : " OR ") + $1 }
        if Bool.random(using: &rng) { text = "(" + text + ")" }
        if Bool.random(using: &rng) {
            var chars = Array(text)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let at = Int.random(in: 0...chars.count, using: &rng)
                chars.insert(contentsOf: pieces[Int.random(in: 0..<pieces.count, using: &rng)], at: at)
            }
            text = String(chars)
        }
        return text
    }

    @Test func runFilters() {
        var rng = SeededGenerator(seed: 23)
        var parsed = 0
        for _ in 0..<5000 {
            let text = Self.random(&rng)
            do {
                guard let f = try SearchFilter.parse(text) else { continue }
                var binds: [SQLValue] = []
                let sql = f.sql(.sqlite, binds: &binds)
                #expect(sql.filter { $0 == "?" }.count == binds.count, "\(text)")
                parsed += 1
            } catch {
                #expect(error.code == .invalidParameterValue, "\(text): \(error)")
            }
        }
        // The pieces make valid filters too, so both branches are exercised.
        #expect(parsed > 0)
    }

    @Test func entityFilters() {
        var rng = SeededGenerator(seed: 24)
        for grammar in [AttributeFilter.Grammar.experiments, .registeredModels, .modelVersions] {
            for _ in 0..<2000 {
                let text = Self.random(&rng, Self.entityConditions)
                do {
                    guard let f = try AttributeFilter.parse(text, grammar) else { continue }
                    var binds: [SQLValue] = []
                    let sql = f.sql(.postgres, grammar, binds: &binds)
                    #expect(sql.filter { $0 == "?" }.count == binds.count, "\(text)")
                } catch {
                    #expect(error.code == .invalidParameterValue, "\(text): \(error)")
                }
            }
        }
    }
}
