import Foundation
import PulkFrame
import PulkLearn
import PulkScoring

extension PulkBench {
    /// A scoring request's body read as a server reads it (the all-numbers path into the matrix a
    /// tree model scores), repeated for about a second per repetition; nanoseconds per number.
    static func request(_ path: String, reps: Int) throws {
        let body = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // The features are the body's `columns`, all numbers.
        let head = String(decoding: body.prefix(4096), as: UTF8.self)
        guard let open = head.range(of: "\"columns\""), let l = head[open.upperBound...].firstIndex(of: "["),
              let r = head[l...].firstIndex(of: "]") else { throw CocoaError(.fileReadCorruptFile) }
        let names = head[head.index(after: l)..<r].split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"")) }
        let input = InputSchema(FeatureSchema(features: names.map { Feature(name: $0, type: .float64) }))
        let cells = try body.withUnsafeBytes { try input.rows(json: $0, matrix: true) }
        guard case .matrix(_, let rows) = cells else { throw CocoaError(.fileReadCorruptFile) }
        let numbers = rows * names.count
        var perNumber: [Double] = []
        for _ in 0..<reps {
            var n = 0
            var sink = 0.0
            let (_, s) = try time { () throws in
                while n < 1 || Double(n) * Double(numbers) < 5e7 {
                    if case .matrix(let x, _) = try body.withUnsafeBytes({ try input.rows(json: $0, matrix: true) }) { sink += x[0] }
                    n += 1
                }
            }
            if sink.isNaN { print("") }
            perNumber.append(s * 1e9 / Double(n * numbers))
        }
        emit(["bench": "request", "rows": rows, "numbers": numbers, "bytes": body.count, "ns_per_number": median(perNumber),
              "requests_per_s": 1e9 / (median(perNumber) * Double(numbers))])
    }
}
