import Foundation
@testable import PulkFrame

/// Reads CSV text with default options (or `options`).
func readCSV(_ text: String, _ options: CSVOptions = CSVOptions()) throws -> Frame {
    try CSVReader(options: options).read(string: text, name: "t.csv").0
}

/// The column's values as display strings ("" for missing).
func strings(_ c: Column) -> [String] { (0..<c.count).map { c.value(at: $0).description } }

/// A fresh temporary directory.
func temporaryDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-test-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A small deterministic generator (SplitMix64) so random tests are reproducible.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e3779b97f4a7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58476d1ce4e5b9
        z = (z ^ (z >> 27)) &* 0x94d049bb133111eb
        return z ^ (z >> 31)
    }
}

/// The first difference between two frames (values compared with missing = missing, NaN-safe), or nil.
func difference(_ a: Frame, _ b: Frame) -> String? {
    if a.names != b.names { return "names \(a.names) vs \(b.names)" }
    if a.rowCount != b.rowCount { return "rows \(a.rowCount) vs \(b.rowCount)" }
    for (x, y) in zip(a.columns, b.columns) {
        if x.type != y.type { return "\(x.name): type \(x.type) vs \(y.type)" }
        for r in 0..<a.rowCount where x.value(at: r) != y.value(at: r) {
            return "\(x.name) row \(r): \(x.value(at: r)) vs \(y.value(at: r))"
        }
    }
    return nil
}
