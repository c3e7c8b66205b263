import Foundation

/// The header of a model file: everything but the fitted arrays.
public struct ModelHeader: Sendable, Codable, Equatable {
    public var formatVersion: Int
    public var kind: String
    public var task: Task
    public var parameters: Parameters
    public var schema: FeatureSchema
    public var target: TargetInfo
    /// Preprocessing stored inside the model (absent for models that use none).
    public var pipeline: FeaturePipeline?
    public var arrays: [ArrayEntry]

    public struct ArrayEntry: Sendable, Codable, Equatable {
        public var name: String
        /// `f64` or `i64`, little-endian, or `u8` (raw bytes).
        public var dtype: String
        public var offset: Int
        public var count: Int
    }
}

/// Pulk's versioned model file (documented in docs/model-format.md):
///
/// ```
/// "PULKMODL"  u32 format version  u32 header length H  H bytes of JSON header  padding to 64
/// arrays of f64 / i64 values (or u8 bytes), each starting at a multiple of 64 bytes from the data start
/// ```
/// The JSON header (sorted keys) is readable with any tool; the arrays are stored raw, so a decoded
/// model predicts bit-identically.
public enum ModelFile {
    public static let magic: [UInt8] = Array("PULKMODL".utf8)
    public static let version = 1

    /// Restores a model of one kind from its header and arrays (the last argument names the file for errors).
    public typealias Decoder = @Sendable (ModelHeader, ModelState, String) throws(LearnError) -> any Model

    /// The model kinds of the learning core, by name; other libraries (trees) add theirs when decoding.
    public static let coreDecoders = decoders(for: EstimatorRegistry.all)

    /// A decoder per estimator (`Estimator.restore`, its parameters checked against its table), by name.
    public static func decoders(for estimators: [any Estimator.Type]) -> [String: Decoder] {
        Dictionary(uniqueKeysWithValues: estimators.map { e in decoder(for: e) { (h, s, file) throws(LearnError) in try e.restore(h, s, file: file) } })
    }

    public static func encode(_ model: any Model) -> [UInt8] {
        let state = model.state
        var entries: [ModelHeader.ArrayEntry] = []
        var body: [UInt8] = []
        func pad() { body.append(contentsOf: repeatElement(0, count: (64 - body.count % 64) % 64)) }
        for name in state.doubles.keys.sorted() {
            let v = state.doubles[name]!
            entries.append(.init(name: name, dtype: "f64", offset: body.count, count: v.count))
            for x in v { withUnsafeBytes(of: x.bitPattern.littleEndian) { body.append(contentsOf: $0) } }
            pad()
        }
        for name in state.ints.keys.sorted() {
            let v = state.ints[name]!
            entries.append(.init(name: name, dtype: "i64", offset: body.count, count: v.count))
            for x in v { withUnsafeBytes(of: x.littleEndian) { body.append(contentsOf: $0) } }
            pad()
        }
        for name in state.bytes.keys.sorted() {
            let v = state.bytes[name]!
            entries.append(.init(name: name, dtype: "u8", offset: body.count, count: v.count))
            body.append(contentsOf: v)
            pad()
        }
        let header = ModelHeader(formatVersion: version, kind: model.kind, task: model.target.task,
                                 parameters: model.parameters, schema: model.schema, target: model.target,
                                 pipeline: model.pipeline, arrays: entries)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let json = try! encoder.encode(header)
        var out = magic
        withUnsafeBytes(of: UInt32(version).littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: json)
        out.append(contentsOf: repeatElement(0, count: (64 - out.count % 64) % 64))
        return out + body
    }

    public static func decode(_ bytes: [UInt8], name: String = "<model>", decoders: [String: Decoder] = coreDecoders) throws(LearnError) -> any Model {
        guard bytes.count >= 16, Array(bytes[0..<8]) == magic else {
            throw .corruptModelFile(name, reason: "it does not start with the Pulk model magic bytes")
        }
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        let v = u32(8)
        guard v == version else {
            throw .corruptModelFile(name, reason: "format version \(v); this pulk reads version \(version)")
        }
        let h = u32(12)
        guard 16 + h <= bytes.count else { throw .corruptModelFile(name, reason: "the header is truncated") }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        guard let header = try? decoder.decode(ModelHeader.self, from: Data(bytes[16..<(16 + h)])) else {
            throw .corruptModelFile(name, reason: "the header is unreadable")
        }
        try header.validate(file: name)
        let start = (16 + h + 63) / 64 * 64
        var state = ModelState()
        for e in header.arrays {
            // Every count and offset is checked against the file's size before any arithmetic on it.
            let width = e.dtype == "u8" ? 1 : 8
            guard e.offset >= 0, e.count >= 0, e.offset <= bytes.count, e.count <= bytes.count / width,
                  start + e.offset + e.count * width <= bytes.count else {
                throw .corruptModelFile(name, reason: "array '\(e.name)' is truncated")
            }
            guard state.doubles[e.name] == nil, state.ints[e.name] == nil, state.bytes[e.name] == nil else {
                throw .corruptModelFile(name, reason: "array '\(e.name)' is stored twice")
            }
            let from = start + e.offset
            if e.dtype == "u8" {
                state.bytes[e.name] = Array(bytes[from..<(from + e.count)])
                continue
            }
            var raw = [UInt64](repeating: 0, count: e.count)
            for k in 0..<e.count {
                var x: UInt64 = 0
                for b in 0..<8 { x |= UInt64(bytes[from + k * 8 + b]) << (8 * UInt64(b)) }
                raw[k] = x
            }
            switch e.dtype {
            case "f64": state.doubles[e.name] = raw.map { Double(bitPattern: $0) }
            case "i64": state.ints[e.name] = raw.map { Int64(bitPattern: $0) }
            default: throw .corruptModelFile(name, reason: "array '\(e.name)' has unknown type \(e.dtype)")
            }
        }
        guard let restore = decoders[header.kind] else {
            throw .corruptModelFile(name, reason: "model kind '\(header.kind)' is unknown to this pulk")
        }
        return try restore(header, state, name)
    }

    /// A decoder that first checks the header's parameters against `estimator`'s declarations (see
    /// `Parameters.checked`), so no model restores with a parameter its code would trap on.
    public static func decoder(for estimator: any Estimator.Type, _ restore: @escaping Decoder) -> (String, Decoder) {
        let specs = estimator.parameterSpecs, model = estimator.name
        return (model, { (header, state, file) throws(LearnError) -> any Model in
            var header = header
            header.parameters = try header.parameters.checked(against: specs, model: model, file: file)
            return try restore(header, state, file)
        })
    }

    /// Writes a model atomically.
    public static func write(_ model: any Model, to path: String) throws(LearnError) {
        do { try Data(encode(model)).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw .io(path, reason: "cannot write the model: \(error.localizedDescription)")
        }
    }

    public static func read(path: String, decoders: [String: Decoder] = coreDecoders) throws(LearnError) -> any Model {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .io(path, reason: "no such file or it cannot be read")
        }
        return try decode(Array(data), name: path, decoders: decoders)
    }
}

extension ModelHeader {
    /// Checks what every model kind relies on before its arrays are read: the task and target agree,
    /// class labels exist for a classifier and are distinct, feature names and each feature's
    /// categories are distinct, and the stored preprocessing names only schema features, with
    /// consistent category lists (see `FeaturePipeline.validate`). A file that fails any of these
    /// is corrupt; nothing in it is trusted to index an array.
    func validate(file: String) throws(LearnError) {
        func bad(_ why: String) -> LearnError { .corruptModelFile(file, reason: why) }
        guard target.task == task else { throw bad("the header's task and the target's task differ") }
        if task == .classification {
            guard let classes = target.classes, !classes.isEmpty else { throw bad("a classifier without class labels") }
            guard Set(classes).count == classes.count else { throw bad("a class label is listed twice") }
        }
        guard Set(schema.features.map(\.name)).count == schema.features.count else { throw bad("two features share a name") }
        for f in schema.features {
            if let c = f.categories, Set(c).count != c.count { throw bad("feature '\(f.name)' lists a category twice") }
        }
        if let pipeline { try pipeline.validate(features: Set(schema.features.map(\.name)), file: file) }
    }
}

/// The estimators this build provides, by name.
public enum EstimatorRegistry {
    public static let all: [any Estimator.Type] = [
        MostFrequentClassifier.self, StratifiedClassifier.self, MeanRegressor.self, MedianRegressor.self,
        LinearRegressionEstimator.self, RidgeEstimator.self, LassoEstimator.self, ElasticNetEstimator.self,
        LogisticRegressionEstimator.self, KNeighborsEstimator.self, KNeighborsRegressorEstimator.self,
        GaussianNaiveBayesEstimator.self, KMeansEstimator.self, IsolationForestEstimator.self, RobustZScoreEstimator.self, LocalOutlierFactorEstimator.self, DBSCANEstimator.self, HDBSCANEstimator.self,
        GaussianMixtureEstimator.self,
        ALSEstimator.self, ItemKNNEstimator.self, PopularityEstimator.self,
    ]

    public static func estimator(named name: String) throws(LearnError) -> any Estimator.Type {
        guard let e = all.first(where: { $0.name == name }) else { throw .unknownModel(name, known: all.map { $0.name }) }
        return e
    }
}
