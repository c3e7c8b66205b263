import PulkFrame
public import Foundation

extension DatasetProfile {
    /// The profile as JSON in the documented schema: snake_case keys, ISO 8601 dates, sorted keys.
    public func jsonData(pretty: Bool = true) -> Data {
        try! Self.encoder(pretty: pretty).encode(self)
    }

    /// Reads a profile written by `jsonData`.
    public static func decode(_ data: Data) throws -> DatasetProfile {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.dateDecodingStrategy = .iso8601
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try d.decode(DatasetProfile.self, from: data)
    }

    static func encoder(pretty: Bool) -> JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.dateEncodingStrategy = .iso8601
        // Infinite values (a column holding inf) are written as MLflow does: "Infinity", "-Infinity".
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys]
        return e
    }
}
