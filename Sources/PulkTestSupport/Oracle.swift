public import Foundation

/// The repository's root folder (tests read fixtures and oracle scripts from it).
public let testRepoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Test support (not shipped): runs a reference script from Tests/oracle with the test venv's Python (PULK_PYTHON), or
/// with `python` (another venv's: the process environment is never changed for it, as tests run side by side), and
/// returns its JSON output.
public func runOracle(_ script: String, arguments: [String], python: String? = nil) throws -> Any {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: python ?? ProcessInfo.processInfo.environment["PULK_PYTHON"]!)
    p.arguments = [testRepoRoot.appendingPathComponent("Tests/oracle/\(script)").path] + arguments
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw OracleFailure(script: script, status: p.terminationStatus) }
    return try JSONSerialization.jsonObject(with: data)
}

/// The same with `input` written as JSON to a temporary file passed as the argument.
public func runOracle<Input: Encodable>(_ script: String, _ input: Input, python: String? = nil) throws -> Any {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("oracle-\(UUID().uuidString).json")
    try JSONEncoder().encode(input).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    return try runOracle(script, arguments: [file.path], python: python)
}

public struct OracleFailure: Error, CustomStringConvertible {
    public var script: String
    public var status: Int32
    public var description: String { "\(script) exited with status \(status)" }
}
