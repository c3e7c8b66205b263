import Foundation
import Testing

/// Every help page, pinned: a change to any command's options or wording shows up as a diff of its
/// page in `Tests/PulkCLITests/Golden/help` (regenerate with PULK_UPDATE_GOLDEN=1 and review).
@Suite("Help pages")
struct HelpTests {
    let cli = PulkCLI()
    static let golden = PulkCLI.repoRoot.appendingPathComponent("Tests/PulkCLITests/Golden/help")

    /// Every command path (`["data", "add"]`), from swift-argument-parser's own description of the tree.
    struct Command { var path: [String]; var arguments: [[String: Any]] }

    func commands() throws -> [Command] {
        let dump = try cli.ok(["--experimental-dump-help"])
        let root = try #require((try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])?["command"] as? [String: Any])
        var out: [Command] = []
        func walk(_ c: [String: Any], _ path: [String]) {
            out.append(Command(path: path, arguments: c["arguments"] as? [[String: Any]] ?? []))
            for s in c["subcommands"] as? [[String: Any]] ?? [] {
                guard let name = s["commandName"] as? String, name != "help" else { continue }
                walk(s, path + [name])
            }
        }
        walk(root, [])
        return out
    }

    static func names(_ a: [String: Any]) -> [String] {
        (a["names"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    }

    @Test("Each command's help page equals its pinned copy")
    func pinned() throws {
        let update = ProcessInfo.processInfo.environment["PULK_UPDATE_GOLDEN"] == "1"
        if update { try FileManager.default.createDirectory(at: Self.golden, withIntermediateDirectories: true) }
        var expectedFiles = Set<String>()
        for c in try commands() {
            let page = try cli.ok(c.path + ["--help"], env: ["COLUMNS": "100"]).stdout
            let file = (["pulk"] + c.path).joined(separator: "_") + ".txt"
            expectedFiles.insert(file)
            let url = Self.golden.appendingPathComponent(file)
            if update { try page.write(to: url, atomically: true, encoding: .utf8); continue }
            let pinned = try? String(contentsOf: url, encoding: .utf8)
            #expect(pinned == page, "pulk \(c.path.joined(separator: " ")) --help differs from \(file) (PULK_UPDATE_GOLDEN=1 rewrites it):\n\(page)")
        }
        let present = Set((try? FileManager.default.contentsOfDirectory(atPath: Self.golden.path)) ?? [])
        #expect(present == expectedFiles, "pinned pages of commands that no longer exist, or missing: \(present.symmetricDifference(expectedFiles).sorted())")
    }

    @Test("Every argument and option says what it is, and options appear only where they mean something")
    func meaningful() throws {
        for c in try commands() {
            let command = "pulk " + c.path.joined(separator: " ")
            for a in c.arguments {
                let names = Self.names(a)
                if names.contains("help") || names.contains("h") { continue }
                #expect(!((a["abstract"] as? String) ?? "").isEmpty, "\(command): \(names) has no help text")
                if names.contains("version") { #expect(c.path.isEmpty, "\(command) shows --version; only pulk --version does") }
                if names.contains("no-profile") { #expect(c.path == ["train"], "\(command) takes --no-profile but trains nothing") }
                if names.contains("json") { #expect(!["server", "serve"].contains(c.path.first ?? ""), "\(command) takes --json but prints no result") }
            }
        }
        #expect(try cli.ok(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    @Test("Discussions are paragraphs: no line of help breaks a sentence where the source text was wrapped")
    func paragraphs() throws {
        for c in try commands() {
            let page = try cli.ok(c.path + ["--help"], env: ["COLUMNS": "100"]).stdout
            let lines = page.split(separator: "\n", omittingEmptySubsequences: false)
            // A line cut short (well under the width) and followed by a line that continues its
            // sentence in lowercase is a hard line break inside a paragraph.
            for (i, line) in lines.enumerated().dropLast() where !line.hasPrefix(" ") && line.count < 70 && !line.isEmpty {
                let next = lines[i + 1]
                #expect(!(next.first?.isLowercase ?? false) || line.hasSuffix(":"), "pulk \(c.path.joined(separator: " ")) --help breaks a sentence: \"\(line)\" / \"\(next)\"")
            }
        }
    }
}
