public import PulkFrame
public import PulkLearn
import Foundation

/// Where batch scoring reads rows from, one chunk at a time.
public protocol ChunkSource {
    /// The next rows, or nil at the end.
    mutating func next() throws -> Frame?
    /// Bytes consumed so far and in all (for progress), when known.
    var progress: (Int, Int) { get }
}

/// A frame already in memory or memory-mapped (a registered dataset version), in slices.
public struct FrameChunks: ChunkSource {
    let frame: Frame
    let rows: Int
    var at = 0

    public init(_ frame: Frame, rows: Int = 1 << 16) {
        self.frame = frame
        self.rows = max(1, rows)
    }

    public mutating func next() -> Frame? {
        guard at < frame.rowCount else { return nil }
        let end = min(frame.rowCount, at + rows)
        defer { at = end }
        return frame.slice(at..<end)
    }

    public var progress: (Int, Int) { (at, frame.rowCount) }
}

/// A Parquet file (or folder of part files) read one row group at a time, so memory stays at a row
/// group whatever the file's size. Only the model's features and the kept columns are decoded.
public struct ParquetChunks: ChunkSource {
    let files: [ParquetFile]
    let columns: [String]
    var file = 0
    var group = 0
    var rowsRead = 0
    let rows: Int

    public init(path: String, schema: FeatureSchema, keep: KeptColumns = .none) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw FrameError.fileNotFound(path) }
        let paths = isFolder.boolValue ? try ParquetReader.partFiles(in: path) : [path]
        guard !paths.isEmpty else { throw FrameError.parquet(path, reason: "the folder holds no Parquet files") }
        files = try paths.map { p throws(FrameError) in try ParquetFile(path: p) }
        let names = files[0].schema.names
        let missing = schema.features.filter { !names.contains($0.name) }
        if !missing.isEmpty {
            throw ScoringError(kind: .schema, problems: missing.map(InputSchema.missing))
        }
        let features = Set(schema.features.map(\.name))
        let kept = Set(try keep.names(available: names))
        columns = names.filter { features.contains($0) || kept.contains($0) }
        rows = files.reduce(0) { $0 + $1.rowCount }
    }

    public mutating func next() throws -> Frame? {
        while file < files.count {
            if group >= files[file].rowGroupCount { file += 1; group = 0; continue }
            defer { group += 1 }
            let frame = try files[file].read(rowGroups: group..<group + 1, columns: columns)
            rowsRead += frame.rowCount
            if frame.rowCount > 0 { return frame }
        }
        return nil
    }

    public var progress: (Int, Int) { (rowsRead, rows) }
}

/// A CSV file read in blocks of about `blockBytes`, cut at line ends outside quotes, each parsed with
/// the model's feature types forced (so every block types its columns alike). Memory stays at a
/// couple of blocks whatever the file's size.
public struct CSVChunks: ChunkSource {
    let handle: FileHandle
    let size: Int
    let names: [String]
    let options: CSVOptions
    let blockBytes: Int
    var carry: [UInt8] = []
    var consumed = 0
    var done = false
    let path: String

    /// Kept columns that are not features are read as text whatever they hold, so that an id such
    /// as `007` is copied as written.
    public init(path: String, schema: FeatureSchema, blockBytes: Int = 16 << 20, keep: KeptColumns = .none) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw FrameError.io(path, reason: "no such file or it cannot be read") }
        self.handle = handle
        self.path = path
        self.blockBytes = max(1 << 10, blockBytes)
        size = Int((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)??.intValue ?? 0)
        // The header: the first line, read as a CSV with no rows.
        var head: [UInt8] = []
        while true {
            let piece = handle.readData(ofLength: 1 << 16)
            if piece.isEmpty { break }
            head.append(contentsOf: piece)
            if let cut = Self.lastLineEnd(head, first: true) {
                carry = Array(head[(cut + 1)...])
                head = Array(head[...cut])
                break
            }
        }
        consumed = head.count
        // Read as a data row (a header alone is "a file with no rows"): its values are the names.
        let (header, _) = try CSVReader(options: CSVOptions(header: false, missingTokens: [])).read(bytes: head, name: path)
        let names = header.columns.map { $0.value(at: 0).description.trimmingCharacters(in: .whitespaces) }
        self.names = names
        let missing = schema.features.filter { !names.contains($0.name) }
        if !missing.isEmpty {
            throw ScoringError(kind: .schema, problems: missing.map(InputSchema.missing))
        }
        var types: [String: TypeOverride] = [:]
        for f in schema.features {
            switch f.type {
            case .float64, .int64: types[f.name] = .float64
            case .string: types[f.name] = .string
            case .bool: types[f.name] = .bool
            case .date: types[f.name] = .date
            case .datetime: types[f.name] = .datetime
            }
        }
        for name in keep.textColumns(among: names, schema: schema) { types[name] = .string }
        options = CSVOptions(delimiter: CSVOptions.sniffedDelimiter(head), header: false, columnNames: names, types: types)
    }

    /// The offset of the last newline outside quotes (the first one when `first`).
    static func lastLineEnd(_ bytes: [UInt8], first: Bool = false) -> Int? {
        var quoted = false
        var last: Int?
        for (i, b) in bytes.enumerated() {
            if b == UInt8(ascii: "\"") { quoted.toggle() } else if b == 10, !quoted {
                if first { return i }
                last = i
            }
        }
        return last
    }

    public mutating func next() throws -> Frame? {
        while !done {
            let piece = handle.readData(ofLength: blockBytes)
            var block = carry
            if piece.isEmpty {
                done = true
                try? handle.close()
                carry = []
            } else {
                block.append(contentsOf: piece)
                guard let cut = Self.lastLineEnd(block) else { carry = block; continue }
                carry = Array(block[(cut + 1)...])
                block.removeSubrange((cut + 1)...)
            }
            let start = consumed
            consumed += block.count
            if block.allSatisfy({ $0 == 10 || $0 == 13 || $0 == 32 }) { continue }
            do { return try CSVReader(options: options).read(bytes: block, name: path).0 } catch {
                // The block's lines are the file's lines after those before the block (counted only now).
                let before = linesBefore(start)
                throw error.relocated { SourceLocation(file: $0.file, line: $0.line + before, column: $0.column) }
            }
        }
        return nil
    }

    /// Line ends in the file's first `offset` bytes.
    func linesBefore(_ offset: Int) -> Int {
        guard let h = FileHandle(forReadingAtPath: path) else { return 0 }
        defer { try? h.close() }
        var lines = 0, left = offset
        while left > 0 {
            let piece = h.readData(ofLength: min(left, 1 << 20))
            if piece.isEmpty { break }
            lines += piece.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
            left -= piece.count
        }
        return lines
    }

    public var progress: (Int, Int) { (consumed, size) }
}

/// Scores a source chunk by chunk into a CSV of predictions (`prediction`, then `probability_CLASS`
/// per class), written to a temporary file, flushed to disk and renamed into place at the end.
public struct BatchScorer {
    public let model: any Model
    public let input: InputSchema

    public init(model: any Model) {
        self.model = model
        input = InputSchema(model.schema, policy: ScoringPolicy(unseenCategories: .allow, maxRows: .max))
    }

    public struct Result: Sendable {
        public var rows: Int
        public var seconds: Double
    }

    /// The input's `keep` columns are written first on each line, as the input has them.
    public func score(_ source: inout some ChunkSource, to path: String, keep: KeptColumns = .none,
                      progress: ((Int, Int) -> Void)? = nil) throws -> Result {
        let started = Date()
        let temporary = path + ".pulk-partial-\(UUID().uuidString.prefix(8))"
        guard FileManager.default.createFile(atPath: temporary, contents: nil), let out = FileHandle(forWritingAtPath: temporary) else {
            throw FrameError.io(path, reason: "cannot create the output file")
        }
        var finished = false
        defer { if !finished { try? out.close(); try? FileManager.default.removeItem(atPath: temporary) } }
        var rows = 0
        var header = true
        // Formatting and writing chunk k overlap the prediction of chunk k + 1 (at most two chunks wait).
        let writer = DispatchQueue(label: "pulk.score.writer")
        let slots = DispatchSemaphore(value: 2)
        let failure = WriteFailure()
        let handle = UncheckedHandle(out)
        var keptNames: [String]?
        while let chunk = try source.next() {
            let names = try keptNames ?? keep.names(available: chunk.names)
            keptNames = names
            var kept: [Column] = []
            for name in names { kept.append(try chunk.column(name)) }
            let frame = try input.frame(conforming: names.isEmpty ? chunk : KeptColumns.numericFeatures(chunk, schema: model.schema), firstRow: rows)
            let predictions = try model.predict(frame)
            let first = header
            header = false
            slots.wait()
            writer.async { [kept] in
                defer { slots.signal() }
                guard failure.error == nil else { return }
                do { try handle.value.write(contentsOf: PredictionCSV.bytes(predictions, header: first, kept: kept)) } catch { failure.error = error }
            }
            rows += chunk.rowCount
            progress?(source.progress.0, source.progress.1)
            if let e = failure.error { throw e }
        }
        writer.sync {}
        if let e = failure.error { throw e }
        if header {
            // No rows: the kept columns as asked (every feature for --keep-all, the input's header being unread).
            let names: [String]
            switch keep {
            case .none: names = []
            case .columns(let asked): names = asked
            case .all: names = model.schema.features.map(\.name)
            }
            try out.write(contentsOf: PredictionCSV.bytes(.regression([]), header: true, classes: model.target.classes, keptNames: names))
        }
        try out.synchronize()
        try out.close()
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.moveItem(atPath: temporary, toPath: path)
        finished = true
        return Result(rows: rows, seconds: Date().timeIntervalSince(started))
    }
}

/// The first write error of the writer queue (read after it drained, or between chunks).
final class WriteFailure: @unchecked Sendable {
    private let lock = NSLock()
    private var first: (any Error)?
    var error: (any Error)? {
        get { lock.lock(); defer { lock.unlock() }; return first }
        set { lock.lock(); defer { lock.unlock() }; if first == nil { first = newValue } }
    }
}

struct UncheckedHandle: @unchecked Sendable {
    let value: FileHandle
    init(_ value: FileHandle) { self.value = value }
}

/// Predictions as CSV, formatted on both cores.
enum PredictionCSV {
    static func bytes(_ p: Predictions, header: Bool, classes: [String]? = nil, kept: [Column] = [], keptNames: [String]? = nil) -> [UInt8] {
        var out: [UInt8] = []
        if header {
            for name in keptNames ?? kept.map(\.name) { out.append(contentsOf: field(name)); out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: Array("prediction".utf8))
            let names: [String]
            if case .classification(let c, _, _) = p { names = c } else { names = classes ?? [] }
            for c in names { out.append(UInt8(ascii: ",")); out.append(contentsOf: field("probability_" + c)) }
            if case .clustering(_, _, let memberships) = p {
                out.append(contentsOf: Array(",distance".utf8))
                for c in 0..<(memberships?.width ?? 0) { out.append(contentsOf: Array(",probability_\(c)".utf8)) }
            }
            if case .anomaly = p { out.append(contentsOf: Array(",score".utf8)) }
            if case .recommendation = p { out.append(contentsOf: Array(",scores,known_user".utf8)) }
            out.append(10)
        }
        let n: Int
        switch p {
        case .regression(let v): n = v.count
        case .classification(_, let predicted, _): n = predicted.count
        case .clustering(let clusters, _, _): n = clusters.count
        case .anomaly(let scores, _, _): n = scores.count
        case .recommendation(let lists): n = lists.count
        }
        guard n > 0 else { return out }
        let parts = n < 4096 ? 1 : 2 * defaultThreadCount()
        var pieces = [[UInt8]](repeating: [], count: parts)
        pieces.withUnsafeMutableBufferPointer { buffer in
            let base = Shared(buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: parts) { k in
                let from = n * k / parts, to = n * (k + 1) / parts
                base.pointer[k] = rows(p, from..<to, kept: kept)
            }
        }
        for piece in pieces { out.append(contentsOf: piece) }
        return out
    }

    struct Shared: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<[UInt8]>
        init(_ p: UnsafeMutablePointer<[UInt8]>) { pointer = p }
    }

    static func rows(_ p: Predictions, _ range: Range<Int>, kept: [Column] = []) -> [UInt8] {
        var out: [UInt8] = []
        func prefix(_ r: Int) {
            for c in kept {
                let v = c.value(at: r)
                if v != .missing { out.append(contentsOf: field(v.description)) }
                out.append(UInt8(ascii: ","))
            }
        }
        switch p {
        case .regression(let v):
            out.reserveCapacity(range.count * 20)
            for r in range {
                prefix(r)
                number(v[r], &out)
                out.append(10)
            }
        case .classification(let classes, let predicted, let probabilities):
            let labels = classes.map(field)
            out.reserveCapacity(range.count * (8 + 20 * classes.count))
            for r in range {
                prefix(r)
                out.append(contentsOf: labels[predicted[r]])
                for x in probabilities[r] {
                    out.append(UInt8(ascii: ","))
                    number(x, &out)
                }
                out.append(10)
            }
        case .clustering(let clusters, let distances, let memberships):
            out.reserveCapacity(range.count * (24 + 20 * (memberships?.width ?? 0)))
            for r in range {
                prefix(r)
                out.append(contentsOf: String(clusters[r]).utf8)
                out.append(UInt8(ascii: ","))
                number(distances[r], &out)
                if let memberships {
                    for x in memberships[r] {
                        out.append(UInt8(ascii: ","))
                        number(x, &out)
                    }
                }
                out.append(10)
            }
        case .anomaly(let scores, let flagged, _):
            out.reserveCapacity(range.count * 24)
            for r in range {
                prefix(r)
                out.append(flagged[r] ? UInt8(ascii: "1") : UInt8(ascii: "0"))
                out.append(UInt8(ascii: ","))
                number(scores[r], &out)
                out.append(10)
            }
        case .recommendation(let lists):
            // Items best first, separated by spaces, then their scores the same way.
            for r in range {
                prefix(r)
                out.append(contentsOf: field(lists[r].items.joined(separator: " ")))
                out.append(UInt8(ascii: ","))
                for (k, s) in lists[r].scores.enumerated() {
                    if k > 0 { out.append(32) }
                    number(s, &out)
                }
                out.append(contentsOf: Array((lists[r].known ? ",1" : ",0").utf8))
                out.append(10)
            }
        }
        return out
    }

    /// A finite number as `CSVWriter` writes it (so the file equals `pulk predict`'s); missing (empty) otherwise.
    static func number(_ x: Double, _ out: inout [UInt8]) {
        guard x.isFinite else { return }
        out.append(contentsOf: formatDouble(x).utf8)
    }

    /// A CSV field, quoted when it holds the delimiter, a quote, a line break or edge spaces, or is empty.
    static func field(_ s: String) -> [UInt8] {
        let u = Array(s.utf8)
        guard u.isEmpty || u.first == 32 || u.last == 32 || u.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else { return u }
        return [34] + u.flatMap { $0 == 34 ? [34, 34] : [$0] } + [34]
    }
}
