import Foundation
import PulkFrame

let args = CommandLine.arguments
let t0 = Date()
var o = CSVOptions(); if args.count > 2 { o.chunkBytes = Int(args[2])! }; if args.count > 3 { o.threads = Int(args[3])! }
let (frame, report) = try CSVReader(options: o).read(path: args[1])
let dt = Date().timeIntervalSince(t0)
print(frame.rowCount, frame.columnCount, frame.schema.fields.map { $0.type.rawValue }.prefix(5), dt, Double(report.bytesRead) / dt / 1e6, "MB/s")
