/// Reads CSV files into frames, fast: the file is cut into chunks of whole rows, and the chunks are
/// tokenized and converted to typed columns in parallel, then merged (see docs/csv.md for the rules).
///
/// ```swift
/// let (frame, report) = try CSVReader().read(path: "penguins.csv")
/// ```
public struct CSVReader: Sendable {
    public var options: CSVOptions

    public init(options: CSVOptions = CSVOptions()) { self.options = options }

    /// Reads the file at `path` (`.gz` files, or any starting with the gzip magic, are decompressed).
    public func read(path: String, progress: ProgressHandler? = nil) throws(FrameError) -> (Frame, ReadReport) {
        var source: any ByteSource = try FileSource(path: path)
        if Gzip.isGzip(try source.bytes(at: 0, count: 2)) {
            source = MemorySource(name: path, data: try Gzip.decompress(source))
        }
        return try read(source, progress: progress)
    }

    /// Reads CSV text held in memory; `name` appears in error messages.
    public func read(bytes: [UInt8], name: String = "<input>") throws(FrameError) -> (Frame, ReadReport) {
        let source: any ByteSource = Gzip.isGzip(bytes)
            ? MemorySource(name: name, data: try Gzip.decompress(MemorySource(name: name, data: bytes)))
            : MemorySource(name: name, data: bytes)
        return try read(source, progress: nil)
    }

    /// Reads CSV text held in a string.
    public func read(string: String, name: String = "<input>") throws(FrameError) -> (Frame, ReadReport) {
        try read(bytes: Array(string.utf8), name: name)
    }

    func read(_ source: any ByteSource, progress: ProgressHandler?) throws(FrameError) -> (Frame, ReadReport) {
        let layout = try CSVLayout.detect(source, options: options)
        var parse = ChunkedParse(source: source, layout: layout, options: options)
        try parse.run(progress: progress)
        let frame = try parse.frame()
        let lines = try source.lineNumbers(of: parse.skipped.map(\.offset))
        let skipped = parse.skipped.sorted { $0.offset < $1.offset }
            .map { SkippedRow(line: lines[$0.offset] ?? 0, reason: $0.reason) }
        return (frame, ReadReport(delimiter: layout.delimiter, hasHeader: layout.hasHeader, bytesRead: source.size,
                                  skippedRows: skipped))
    }
}

/// Delimiter, header and column names of a file, and where its data rows begin.
struct CSVLayout {
    var delimiter: UInt8
    var hasHeader: Bool
    var names: [String]
    var dataStart: Int
    var forced: [TypeOverride?]

    static func detect(_ source: any ByteSource, options: CSVOptions) throws(FrameError) -> CSVLayout {
        guard source.size > 0 else { throw .emptyFile(source.name) }
        var sample = try source.bytes(at: 0, count: 1 << 16)
        var bom = 0
        if sample.starts(with: [0xEF, 0xBB, 0xBF]) { bom = 3; sample.removeFirst(3) }
        var complete = bom + sample.count >= source.size
        // Make sure the sample holds the whole first row.
        while !complete, !sample.contains(CSVTokenizer.lf) {
            guard sample.count < options.maxLineBytes else {
                throw .fieldTooLarge(SourceLocation(file: source.name, line: 1), bytes: sample.count,
                                     limit: options.maxLineBytes)
            }
            sample = try source.bytes(at: bom, count: sample.count * 4)
            complete = bom + sample.count >= source.size
        }
        guard sample.contains(where: { $0 != CSVTokenizer.lf && $0 != CSVTokenizer.cr && $0 != 32 }) || !complete else {
            throw .emptyFile(source.name)
        }
        // The delimiter is guessed from the first 64 KiB at most, and the first row's fields are
        // counted before any is copied: a row of millions of fields is refused in memory
        // proportional to the sample, not to its field count.
        let sniffed = sample.count > 1 << 16 ? Array(sample.prefix(1 << 16)) : sample
        let delimiter = options.delimiter ?? CSVSniffer.delimiter(in: sniffed, complete: complete && sniffed.count == sample.count)
        let fields = CSVSniffer.fieldCount(ofFirstRowIn: sample, delimiter: delimiter)
        guard fields <= options.maxColumns else { throw .tooManyColumns(source.name, count: fields, limit: options.maxColumns) }
        let rows = CSVSniffer.rows(sample, delimiter: delimiter, limit: 1, complete: complete)
        guard let first = rows.first else { throw .emptyFile(source.name) }
        let hasHeader = options.header ?? CSVSniffer.looksLikeHeader(first)
        var names: [String]
        if hasHeader {
            names = []
            for (i, raw) in first.enumerated() {
                guard let s = String(validating: raw, as: UTF8.self) else {
                    throw .invalidUTF8(SourceLocation(file: source.name, line: 1, column: "#\(i + 1) of the header"))
                }
                let trimmed = s.trimmingSpaces
                names.append(trimmed.isEmpty ? "column_\(i + 1)" : trimmed)
            }
        } else if let given = options.columnNames {
            guard given.count == first.count else {
                throw .invalidArgument("\(source.name): \(given.count) column names were given but the first row has "
                    + "\(first.count) fields. Give one name per field.")
            }
            names = given
        } else {
            names = (1...first.count).map { "column_\($0)" }
        }
        names = try deduplicate(names, file: source.name, rename: options.renameDuplicates)
        var forced = [TypeOverride?](repeating: nil, count: names.count)
        for (name, type) in options.types {
            guard let i = names.firstIndex(of: name) else { throw .unknownColumn(name, available: names) }
            forced[i] = type
        }
        var dataStart = bom
        if hasHeader {
            let boundary = try firstRowEnd(source, from: bom, delimiter: delimiter, limit: options.maxLineBytes)
            dataStart = boundary
        }
        return CSVLayout(delimiter: delimiter, hasHeader: hasHeader, names: names, dataStart: dataStart, forced: forced)
    }

    private static func deduplicate(_ names: [String], file: String, rename: Bool) throws(FrameError) -> [String] {
        var seen: [String: Int] = [:]
        var out: [String] = []
        for (i, n) in names.enumerated() {
            if let prev = seen[n] {
                guard rename else { throw .duplicateColumnName(file: file, name: n, positions: [prev + 1, i + 1]) }
                var k = 2
                while seen["\(n)_\(k)"] != nil || names.contains("\(n)_\(k)") { k += 1 }
                seen["\(n)_\(k)"] = i
                out.append("\(n)_\(k)")
            } else {
                seen[n] = i
                out.append(n)
            }
        }
        return out
    }

    /// The offset just past the first row (quote-aware).
    private static func firstRowEnd(_ source: any ByteSource, from start: Int, delimiter: UInt8,
                                    limit: Int) throws(FrameError) -> Int {
        var inQuotes = false
        var atFieldStart = true
        var pos = start
        while pos < source.size {
            let block = try source.bytes(at: pos, count: 1 << 16)
            for (k, b) in block.enumerated() {
                if inQuotes { if b == CSVTokenizer.quote { inQuotes = false }; continue }
                if b == CSVTokenizer.quote { inQuotes = atFieldStart || (k > 0 && block[k - 1] == CSVTokenizer.quote) }
                if b == CSVTokenizer.lf { return pos + k + 1 }
                atFieldStart = b == delimiter
            }
            pos += block.count
            if pos - start > limit {
                throw .fieldTooLarge(SourceLocation(file: source.name, line: 1), bytes: pos - start, limit: limit)
            }
        }
        return source.size
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
