import Foundation
import PulkTestSupport
import PulkLearn
import Testing
@testable import PulkFrame

/// Seeded random damage to real CSV text (bytes replaced, inserted, cut; quotes, delimiters and
/// line ends among them): every file reads or is refused with a `FrameError`, never a trap.
@Suite("CSV reader: random input")
struct CSVFuzzTests {
    @Test func damagedFilesReadOrAreRefused() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/penguins.csv")
        let original = Array(try Data(contentsOf: url).prefix(4000))
        let special: [UInt8] = Array("\",;\t|\r\n\\ 0-.eNA".utf8) + [0, 0xC3, 0xFF, 0xEF, 0xBB, 0xBF]
        var rng = SeededGenerator(seed: 2312)
        var read = 0
        for _ in 0..<1500 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                let at = Int.random(in: 0..<max(1, bytes.count), using: &rng)
                let b = Bool.random(using: &rng) ? special[Int.random(in: 0..<special.count, using: &rng)] : UInt8.random(in: 0...255, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0 where !bytes.isEmpty: bytes[at] = b
                case 1: bytes.insert(b, at: min(at, bytes.count))
                default: bytes = Array(bytes.prefix(at))
                }
            }
            var options = CSVOptions(threads: 2, chunkBytes: 1024)
            options.skipBadRows = Bool.random(using: &rng)
            do {
                let (frame, _) = try CSVReader(options: options).read(bytes: bytes, name: "fuzz.csv")
                _ = frame.rowCount
                read += 1
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
        #expect(read > 0)
    }
}
