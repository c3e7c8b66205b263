import Foundation

/// Reads flat Parquet files (as pyarrow, pandas, Spark and DuckDB write them) into frames.
///
/// Physical and logical types map onto Pulk's: integers → `int64`, FLOAT/DOUBLE/DECIMAL/FLOAT16 →
/// `float64`, BOOLEAN → `bool`, strings, enums, JSON and UUIDs → `string` (categorical), DATE → `date`,
/// TIMESTAMP (ms/µs/ns, with or without zone) and INT96 → `datetime` (µs; nanoseconds are truncated),
/// TIME → `int64` µs since midnight, UINT64 → `float64` (it may not fit `int64`). Encodings: PLAIN,
/// dictionary, RLE, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT;
/// data pages v1 and v2; no compression, Snappy, Gzip and Zstd. Column chunks decode in parallel, each
/// straight into its rows of the frame's columns. Nested columns (lists, maps, structs) are refused,
/// naming the column, unless a projection leaves them out.
public struct ParquetReader: Sendable {
    /// Only these columns, in this order (nil: all).
    public var columns: [String]?
    public var threads: Int

    public init(columns: [String]? = nil, threads: Int = defaultThreadCount()) {
        self.columns = columns
        self.threads = threads
    }

    /// Whether the file at `path` starts with Parquet's magic bytes (`PAR1`); a folder counts when it
    /// holds Parquet part files (a dataset written by Spark, pyarrow or Dask).
    public static func isParquet(path: String) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return false }
        if isDirectory.boolValue { return !((try? partFiles(in: path)) ?? []).isEmpty }
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        return (try? h.read(upToCount: 4)) == Data("PAR1".utf8)
    }

    /// The Parquet files of a dataset folder, in name order (Spark's `part-00000-…`), subfolders too
    /// (Hive-style `key=value` partitions); files starting with `_` or `.` (`_SUCCESS`, `.crc`) are skipped.
    public static func partFiles(in folder: String) throws(FrameError) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { throw .fileNotFound(folder) }
        var files: [String] = []
        while let rel = walker.nextObject() as? String {
            let parts = rel.split(separator: "/")
            if parts.contains(where: { $0.hasPrefix("_") || $0.hasPrefix(".") }) { continue }
            let full = (folder as NSString).appendingPathComponent(rel)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            if let h = FileHandle(forReadingAtPath: full) {
                let magic = try? h.read(upToCount: 4)
                try? h.close()
                if magic == Data("PAR1".utf8) { files.append(rel) }
            }
        }
        return files.sorted().map { (folder as NSString).appendingPathComponent($0) }
    }

    /// The whole file (or folder of part files) as one frame, with the report other readers give.
    public func readReporting(path: String) throws(FrameError) -> (Frame, ReadReport) {
        let frame = try read(path: path)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return (frame, ReadReport(delimiter: 0, hasHeader: true, bytesRead: size, skippedRows: []))
    }

    /// The whole file (or folder of part files) as one frame.
    public func read(path: String) throws(FrameError) -> Frame {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .fileNotFound(path) }
        if isDirectory.boolValue { return try readFolder(path) }
        let file = try ParquetFile(path: path)
        return try file.read(rowGroups: 0..<file.rowGroupCount, columns: columns, threads: threads)
    }

    private func readFolder(_ folder: String) throws(FrameError) -> Frame {
        let files = try Self.partFiles(in: folder)
        guard !files.isEmpty else { throw .parquet(folder, reason: "the folder holds no Parquet files") }
        var frames: [Frame] = []
        for f in files {
            let file = try ParquetFile(path: f)
            var frame = try file.read(rowGroups: 0..<file.rowGroupCount, columns: columns, threads: threads)
            // Hive-style partition folders (`year=2024/`) become columns, as pyarrow and Spark read them.
            let rel = String(f.dropFirst(folder.count)).split(separator: "/").dropLast()
            for part in rel {
                guard let eq = part.firstIndex(of: "="), frame.schema.index(of: String(part[..<eq])) == nil else { continue }
                let key = String(part[..<eq]), value = String(part[part.index(after: eq)...])
                if let columns, !columns.contains(key) { continue }
                let column = Column(name: key, storage: .string(codes: ColumnBuffer([Int32](repeating: 0, count: frame.rowCount)), dictionary: [value]))
                try frame.append(column)
            }
            frames.append(frame)
        }
        return try concatenateParts(frames, folder: folder)
    }
}

/// Stacks the frames of a dataset's part files, which must agree on their columns.
func concatenateParts(_ frames: [Frame], folder: String) throws(FrameError) -> Frame {
    guard let first = frames.first else { throw .parquet(folder, reason: "the folder holds no Parquet files") }
    if frames.count == 1 { return first }
    let schema = first.schema
    for (i, f) in frames.enumerated() where Set(f.schema.fields) != Set(schema.fields) {
        throw .parquet(folder, reason: "part file \(i + 1) has columns \(f.schema.fields.map { "\($0.name) (\($0.type.rawValue))" }.joined(separator: ", ")), the first has \(schema.fields.map { "\($0.name) (\($0.type.rawValue))" }.joined(separator: ", "))")
    }
    var columns: [Column] = []
    for field in schema.fields {
        let parts = frames.map { try! $0.column(field.name) }
        columns.append(stackColumns(parts, name: field.name))
    }
    return try Frame(columns: columns)
}

func stackColumns(_ parts: [Column], name: String) -> Column {
    var validity: Bitmap?
    if parts.contains(where: { $0.validity != nil }) {
        var b = Bitmap(count: 0, value: true)
        for p in parts { b.append(contentsOf: p.validity ?? Bitmap(count: p.count, value: true)) }
        validity = b
    }
    let storage: ColumnStorage
    switch parts[0].storage {
    case .float64: storage = .float64(ColumnBuffer(parts.flatMap { if case .float64(let b) = $0.storage { return b.array } else { return [] } }))
    case .int64: storage = .int64(ColumnBuffer(parts.flatMap { if case .int64(let b) = $0.storage { return b.array } else { return [] } }))
    case .bool: storage = .bool(ColumnBuffer(parts.flatMap { if case .bool(let b) = $0.storage { return b.array } else { return [] } }))
    case .date: storage = .date(ColumnBuffer(parts.flatMap { if case .date(let b) = $0.storage { return b.array } else { return [] } }))
    case .datetime: storage = .datetime(ColumnBuffer(parts.flatMap { if case .datetime(let b) = $0.storage { return b.array } else { return [] } }))
    case .string:
        var dictionary: [String] = [], index: [String: Int32] = [:], codes: [Int32] = []
        for p in parts {
            guard case .string(let c, let d) = p.storage else { continue }
            let map = d.map { s -> Int32 in
                if let k = index[s] { return k }
                let k = Int32(dictionary.count); dictionary.append(s); index[s] = k; return k
            }
            codes += c.map { map.isEmpty ? 0 : map[Int($0)] }
        }
        storage = .string(codes: ColumnBuffer(codes), dictionary: dictionary)
    }
    return Column(name: name, storage: storage, validity: validity)
}

/// One open Parquet file: its footer read, its row groups readable one at a time or all at once.
public final class ParquetFile: @unchecked Sendable {
    public let path: String
    let source: any ByteSource
    let metadata: FileMetadata
    /// The top-level columns: each flat one with its leaf (column chunk) index.
    let fields: [TopField]

    struct TopField {
        var name: String
        var leaf: Int
        var element: SchemaElement
        /// Why the column cannot be read (nested or an unsupported type), if so.
        var refusal: String?
        var target: DataType
    }

    public convenience init(path: String) throws(FrameError) {
        try self.init(source: try FileSource(path: path))
    }

    /// A Parquet file held in memory (an upload), named `name` in messages.
    public convenience init(bytes: [UInt8], name: String) throws(FrameError) {
        try self.init(source: MemorySource(name: name, data: bytes))
    }

    init(source: any ByteSource) throws(FrameError) {
        path = source.name
        self.source = source
        do {
            let size = source.size
            guard size >= 12 else { throw ParquetFault("the file is \(size) bytes, too short for Parquet (it needs `PAR1` at both ends)") }
            let tail = try source.bytes(at: size - 8, count: 8)
            guard tail[4...] == [0x50, 0x41, 0x52, 0x31] else {
                if tail[4...] == [0x50, 0x41, 0x52, 0x45] { throw ParquetFault("the footer is encrypted (PARE); Pulk reads unencrypted files only") }
                throw ParquetFault("the file does not end with `PAR1`: it is not Parquet, or it was cut short while being written")
            }
            let footerLength = Int(UInt32(tail[0]) | UInt32(tail[1]) << 8 | UInt32(tail[2]) << 16 | UInt32(tail[3]) << 24)
            guard footerLength > 0, footerLength <= size - 12 else { throw ParquetFault("the footer length (\(footerLength) bytes) does not fit the file") }
            let footer = try source.bytes(at: size - 8 - footerLength, count: footerLength)
            metadata = try footer.withUnsafeBytes { b in try FileMetadata.read(b) }
        } catch let e as ParquetFault {
            throw .parquet(path, reason: e.reason)
        } catch let e as FrameError {
            throw e
        } catch {
            throw .parquet(path, reason: "\(error)")
        }
        do { fields = try Self.topFields(metadata.schema) } catch let e as ParquetFault { throw .parquet(path, reason: e.reason) } catch { throw .parquet(path, reason: "\(error)") }
        let needed = fields.map(\.leaf).max().map { $0 + 1 } ?? 0
        for (i, g) in metadata.rowGroups.enumerated() where g.columns.count < needed {
            throw .parquet(path, reason: "row group \(i) has \(g.columns.count) column chunks, fewer than the schema's \(needed) columns")
        }
    }

    public var rowCount: Int { metadata.numRows }
    public var rowGroupCount: Int { metadata.rowGroups.count }
    public func rowCount(ofGroup g: Int) -> Int { metadata.rowGroups[g].numRows }
    /// The application that wrote the file, as its footer says.
    public var createdBy: String? { metadata.createdBy }

    /// The columns and the types they read as (nested ones excluded).
    public var schema: Schema { Schema(fields.filter { $0.refusal == nil }.map { Field(name: $0.name, type: $0.target) }) }

    private static func topFields(_ schema: [SchemaElement]) throws -> [TopField] {
        guard let root = schema.first else { throw ParquetFault("the footer has no schema") }
        var out: [TopField] = []
        var i = 1, leaf = 0
        guard root.numChildren >= 0, root.numChildren < schema.count else { throw ParquetFault("the schema's root claims \(root.numChildren) columns") }
        for _ in 0..<root.numChildren {
            guard i < schema.count else { throw ParquetFault("the schema lists fewer columns than its root says") }
            let e = schema[i]
            // The leaves under this field: walk its subtree.
            var leaves = 0, j = i, pending = 1
            while pending > 0 {
                guard j < schema.count else { throw ParquetFault("the schema tree is cut short") }
                let n = schema[j]
                pending -= 1
                guard n.numChildren >= 0, n.numChildren < schema.count else { throw ParquetFault("a schema element claims \(n.numChildren) children") }
                if n.numChildren > 0 { pending += n.numChildren } else { leaves += 1 }
                j += 1
            }
            var refusal: String?
            var target = DataType.string
            if e.numChildren > 0 || e.repetition == 2 {
                let what: String
                switch e.logical { case .list?: what = "a list"; case .map?: what = "a map"; default: what = e.repetition == 2 ? "a repeated field" : "a struct" }
                refusal = "column '\(e.name)' is \(what); Pulk reads flat tables only. Leave it out (`--columns`), or flatten it first (pandas: `df.explode`/`pd.json_normalize`; Spark: `select(\"\(e.name).*\")`)"
            } else {
                do { target = try targetType(e) } catch let f as ParquetFault { refusal = "column '\(e.name)': \(f.reason)" }
            }
            out.append(TopField(name: e.name, leaf: leaf, element: e, refusal: refusal, target: target))
            leaf += leaves
            i = j
        }
        return out
    }

    static func targetType(_ e: SchemaElement) throws -> DataType {
        guard let t = e.type else { throw ParquetFault("physical type \(e.rawType.map(String.init) ?? "missing") is unknown") }
        switch (t, e.logical) {
        case (.boolean, _): return .bool
        case (.int32, .date?): return .date
        case (.int32, .decimal?), (.int64, .decimal?), (.fixedLenByteArray, .decimal?), (.byteArray, .decimal?): return .float64
        case (.int64, .integer(64, false)?): return .float64
        case (.int32, _), (.int64, .time?), (.int64, .integer?), (.int64, nil): return .int64
        case (.int64, .timestamp?), (.int96, _): return .datetime
        case (.float, _), (.double, _): return .float64
        case (.fixedLenByteArray, .float16?): return .float64
        case (.fixedLenByteArray, .uuid?): return .string
        case (.byteArray, nil), (.byteArray, .string?), (.byteArray, .enumeration?), (.byteArray, .json?): return .string
        case (.fixedLenByteArray, _): throw ParquetFault("FIXED_LEN_BYTE_ARRAY without a decimal, UUID or float16 annotation holds raw bytes, which Pulk has no column type for")
        case (.byteArray, .bson?): throw ParquetFault("BSON values have no Pulk column type")
        case (.int64, _): return .int64
        case (.byteArray, _): return .string
        }
    }

    /// The named columns (all when nil) of `rowGroups`, decoded in parallel.
    public func read(rowGroups: Range<Int>, columns names: [String]? = nil, threads: Int = defaultThreadCount()) throws(FrameError) -> Frame {
        let chosen: [TopField]
        if let names {
            var picked: [TopField] = []
            for n in names {
                guard let f = fields.first(where: { $0.name == n }) else { throw .unknownColumn(n, available: fields.map(\.name)) }
                picked.append(f)
            }
            chosen = picked
        } else {
            chosen = fields
        }
        if let refused = chosen.first(where: { $0.refusal != nil }) { throw .parquet(path, reason: refused.refusal!) }
        let groups = Array(rowGroups)
        var starts = [0]
        for g in groups {
            let (sum, overflow) = starts.last!.addingReportingOverflow(metadata.rowGroups[g].numRows)
            guard !overflow, sum <= 1 << 40 else { throw .parquet(path, reason: "the row groups claim more than 2^40 rows") }
            starts.append(sum)
        }
        let rows = starts.last!
        let groupStarts = starts
        // One output region per column; every (row group, column) task fills its rows of it.
        var regions: [MappedRegion] = []
        for field in chosen {
            guard let region = MappedRegion(zeroedBytes: rows * field.target.valueWidth) else {
                throw .parquet(path, reason: "\(rows) rows of column '\(field.name)' do not fit in memory; read fewer columns or row groups")
            }
            regions.append(region)
        }
        let tasks = groups.indices.flatMap { g in chosen.indices.map { c in (g, c) } }
        let results = ResultSlots<Result<ChunkOutput, FrameError>>(count: tasks.count)
        let this = UncheckedSendable(self)
        let regionBases = regions.map { SharedPointer(UnsafeMutableRawPointer(mutating: $0.base).assumingMemoryBound(to: UInt8.self)) }
        let chosenFields = UncheckedSendable(chosen)
        parallelFor(tasks.count, threads: threads) { t in
            let (g, c) = tasks[t]
            let field = chosenFields.value[c]
            let group = this.value.metadata.rowGroups[groups[g]]
            let out = UnsafeMutableRawPointer(regionBases[c].base) + groupStarts[g] * field.target.valueWidth
            results[t] = Result { () throws(FrameError) in
                try this.value.decodeChunk(group.columns[field.leaf], field: field, rows: group.numRows, into: out, group: groups[g])
            }
        }
        var columns: [Column] = []
        for (c, field) in chosen.enumerated() {
            var outputs: [ChunkOutput] = []
            for g in groups.indices {
                switch results[g * chosen.count + c]! {
                case .success(let o): outputs.append(o)
                case .failure(let e): throw e
                }
            }
            columns.append(Self.assemble(field, region: regions[c], rows: rows, outputs: outputs, starts: starts))
        }
        do { return try Frame(columns: columns) } catch { throw error }
    }

    private static func assemble(_ field: TopField, region: MappedRegion, rows: Int, outputs: [ChunkOutput], starts: [Int]) -> Column {
        var validity: Bitmap?
        if outputs.contains(where: { $0.validity != nil }) {
            var b = Bitmap(count: 0, value: true)
            for (g, o) in outputs.enumerated() { b.append(contentsOf: o.validity ?? Bitmap(count: starts[g + 1] - starts[g], value: true)) }
            validity = b
        }
        let storage: ColumnStorage
        switch field.target {
        case .float64: storage = .float64(ColumnBuffer(filling: region, count: rows))
        case .int64: storage = .int64(ColumnBuffer(filling: region, count: rows))
        case .bool: storage = .bool(ColumnBuffer(filling: region, count: rows))
        case .date: storage = .date(ColumnBuffer(filling: region, count: rows))
        case .datetime: storage = .datetime(ColumnBuffer(filling: region, count: rows))
        case .string:
            // Each chunk coded against its own dictionary: merge them, recoding later chunks' codes.
            let codes = UnsafeMutableRawPointer(mutating: region.base).assumingMemoryBound(to: Int32.self)
            var dictionary = outputs.first?.dictionary ?? []
            if outputs.count > 1 {
                var index: [String: Int32] = [:]
                index.reserveCapacity(dictionary.count)
                for (k, s) in dictionary.enumerated() where index[s] == nil { index[s] = Int32(k) }
                for (g, o) in outputs.enumerated().dropFirst() {
                    let map = o.dictionary.map { s -> Int32 in
                        if let k = index[s] { return k }
                        let k = Int32(dictionary.count); dictionary.append(s); index[s] = k; return k
                    }
                    if map.enumerated().allSatisfy({ Int32($0.offset) == $0.element }) { continue }
                    for r in starts[g]..<starts[g + 1] { codes[r] = map.isEmpty ? 0 : map[Int(codes[r])] }
                }
            }
            storage = .string(codes: ColumnBuffer(filling: region, count: rows), dictionary: dictionary)
        }
        return Column(name: field.name, storage: storage, validity: validity)
    }
}

/// What one column chunk's decoding leaves besides the values it wrote in place.
struct ChunkOutput {
    var validity: Bitmap?
    /// For string columns: the chunk's dictionary, which its codes index.
    var dictionary: [String] = []
}
