public import Foundation
public import PulkLearn
import PulkModels
public import PulkStore
public import PulkTracking

/// What `--model` / `pulk serve MODEL` names: a model file, or a registered version as
/// `NAME@ALIAS`, `NAME:VERSION`, `models:/NAME@ALIAS` or `models:/NAME/VERSION`.
public enum ModelReference: Equatable, Sendable {
    case file(String)
    case alias(name: String, alias: String)
    case version(name: String, version: String)

    public init(parsing text: String) throws(AppError) {
        if FileManager.default.fileExists(atPath: text) || text.hasSuffix(".pulk") {
            self = .file(text)
            return
        }
        var rest = Substring(text)
        if rest.hasPrefix("models:/") { rest = rest.dropFirst("models:/".count) }
        if let at = rest.lastIndex(of: "@") {
            let name = String(rest[..<at]), alias = String(rest[rest.index(after: at)...])
            guard !name.isEmpty, !alias.isEmpty else { throw Self.refusal(text) }
            self = .alias(name: name, alias: alias)
        } else if let sep = rest.lastIndex(where: { $0 == ":" || $0 == "/" }) {
            let name = String(rest[..<sep]), version = String(rest[rest.index(after: sep)...])
            guard !name.isEmpty, let v = Int(version), v >= 1 else { throw Self.refusal(text) }
            self = .version(name: name, version: version)
        } else {
            throw Self.refusal(text)
        }
    }

    static func refusal(_ text: String) -> AppError {
        .invalid("'\(text)' is neither a model file nor a registered model; give a .pulk file, NAME@ALIAS or NAME:VERSION "
            + "(`pulk models show NAME` lists versions and aliases)")
    }

    /// A model ready to use, with where it came from.
    public struct Resolved: Sendable {
        public var model: any Model
        /// The registered model's name, or the file's name.
        public var name: String
        /// The version number, or "file".
        public var version: String
        public var runId: String?
        /// The model file's bytes.
        public var bytes: [UInt8]
        /// How messages name it: the file's path, or "NAME version V".
        public var label: String
    }

    /// The registered version this names (nil for a file).
    public func version(_ client: any TrackingClient) async throws -> ModelVersion? {
        switch self {
        case .file: return nil
        case .alias(let name, let alias):
            guard let registered = try await client.registeredModel(name: name) else {
                throw AppError.notFound("No registered model named '\(name)' in \(client.location); `pulk models register RUN_ID --name \(name)` creates it")
            }
            guard let v = registered.aliases[alias] else {
                let known = registered.aliases.keys.sorted().joined(separator: ", ")
                throw AppError.notFound("Model '\(name)' has no alias '\(alias)' (aliases: \(known.isEmpty ? "none" : known)); `pulk models alias \(name)@\(alias) VERSION` sets it")
            }
            return try await Self.version(client, name: name, version: String(v))
        case .version(let name, let version):
            return try await Self.version(client, name: name, version: version)
        }
    }

    static func version(_ client: any TrackingClient, name: String, version: String) async throws -> ModelVersion {
        let versions = try await client.modelVersions(name: name)
        guard let v = versions.first(where: { String($0.version) == version }) else {
            throw AppError.notFound("Model '\(name)' has no version \(version) in \(client.location) (versions: \(versions.map { String($0.version) }.joined(separator: ", ")))")
        }
        return v
    }

    /// The model this names, decoded and checked; `client` is only asked for when a registered model is named.
    public func resolve(_ client: @autoclosure () async throws -> any TrackingClient) async throws -> Resolved {
        if case .file(let path) = self {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw AppError.notFound("\(path): no such model file, or it cannot be read; give a .pulk file, NAME@ALIAS or NAME:VERSION")
            }
            let model = try Catalog.decode(Array(data), name: path)
            return Resolved(model: model, name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent, version: "file",
                            runId: nil, bytes: Array(data), label: path)
        }
        let client = try await client()
        guard let v = try await version(client) else { throw Self.refusal("\(self)") }
        let bytes = try await Self.modelFile(client, v)
        let model = try Catalog.decode(bytes, name: "\(v.name) version \(v.version)")
        return Resolved(model: model, name: v.name, version: String(v.version), runId: v.runId.isEmpty ? nil : v.runId, bytes: bytes,
                        label: "\(v.name) version \(v.version)")
    }

    /// The `model.pulk` of a version registered from a run (`runs:/RUN/PATH`).
    public static func modelFile(_ client: any TrackingClient, _ v: ModelVersion) async throws -> [UInt8] {
        guard v.source.hasPrefix("runs:/") else {
            throw AppError.invalid("Model \(v.name) version \(v.version) comes from \(v.source), not from a run of `pulk train`; Pulk serves model.pulk files of runs")
        }
        let rest = v.source.dropFirst("runs:/".count)
        let runId = String(rest.prefix { $0 != "/" })
        let path = rest.dropFirst(runId.count).drop { $0 == "/" }
        let run = try await client.run(id: runId)
        return try await client.artifact(run.info, path: path.isEmpty ? "model.pulk" : path + "/model.pulk")
    }
}
